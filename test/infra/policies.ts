// Policies every stage of the stack must satisfy, as plain functions over the resources the program
// registered (captured under Pulumi mocks). Each returns the violations it finds, one readable line
// each; an empty list means the policy holds. policies.test.ts proves each one catches a broken stack.

export interface CapturedResource {
  type: string;
  name: string;
  /** The physical id the mocks gave it; other resources' inputs refer to it by this. */
  id: string;
  inputs: Record<string, unknown>;
  /** What the mocks answered: the inputs plus fake outputs such as arn, url and id-like fields. */
  state: Record<string, unknown>;
}

export type Policy = (resources: readonly CapturedResource[]) => string[];

const T = {
  instance: 'aws:rds/instance:Instance',
  queue: 'aws:sqs/queue:Queue',
  topic: 'aws:sns/topic:Topic',
  repository: 'aws:ecr/repository:Repository',
  alarm: 'aws:cloudwatch/metricAlarm:MetricAlarm',
  logGroup: 'aws:cloudwatch/logGroup:LogGroup',
  role: 'aws:iam/role:Role',
  rolePolicy: 'aws:iam/rolePolicy:RolePolicy',
  policy: 'aws:iam/policy:Policy',
  attachment: 'aws:iam/rolePolicyAttachment:RolePolicyAttachment',
  securityGroup: 'aws:ec2/securityGroup:SecurityGroup',
  ingressRule: 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule',
  taskDefinition: 'aws:ecs/taskDefinition:TaskDefinition',
  service: 'aws:ecs/service:Service',
} as const;

export const RESOURCE_TYPES = T;

export function ofType(resources: readonly CapturedResource[], type: string): CapturedResource[] {
  return resources.filter((resource) => resource.type === type);
}

function parseJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

function asList<V>(value: V | V[] | undefined): V[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The database never gets a public address and its storage is encrypted. */
export const databaseIsPrivate: Policy = (resources) =>
  ofType(resources, T.instance).flatMap((db) =>
    db.inputs.publiclyAccessible === false ? [] : [`${db.name}: publiclyAccessible must be false`],
  );

/** Data at rest is encrypted in every store that holds it: queues, database, alarm topic, images. */
export const encryptionEverywhere: Policy = (resources) => [
  ...ofType(resources, T.queue).flatMap((q) =>
    q.inputs.sqsManagedSseEnabled === true || q.inputs.kmsMasterKeyId ? [] : [`${q.name}: queue is not encrypted`],
  ),
  ...ofType(resources, T.instance).flatMap((db) =>
    db.inputs.storageEncrypted === true ? [] : [`${db.name}: storageEncrypted must be true`],
  ),
  ...ofType(resources, T.topic).flatMap((topic) =>
    topic.inputs.kmsMasterKeyId ? [] : [`${topic.name}: topic has no KMS key`],
  ),
  ...ofType(resources, T.repository).flatMap((repo) =>
    asList(repo.inputs.encryptionConfigurations as unknown[] | undefined).length > 0
      ? []
      : [`${repo.name}: repository has no encryption configuration`],
  ),
];

/** Actions AWS only grants on Resource "*"; a statement made only of these may use it. */
export const ACTIONS_REQUIRING_STAR_RESOURCE = new Set(['ecr:GetAuthorizationToken']);

interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
}

function statementViolations(owner: string, document: unknown): string[] {
  const statements = asList((document as { Statement?: PolicyStatement | PolicyStatement[] }).Statement);
  return statements.flatMap((statement, index) => {
    const where = `${owner} statement ${statement.Sid ?? index}`;
    const found: string[] = [];
    if (statement.NotAction !== undefined || statement.NotResource !== undefined) {
      found.push(`${where}: NotAction/NotResource grant everything else`);
    }
    const actions = asList(statement.Action);
    for (const action of actions) {
      if (action === '*' || action.endsWith(':*')) found.push(`${where}: wildcard action "${action}"`);
    }
    const resources = asList(statement.Resource);
    if (resources.includes('*') && !actions.every((action) => ACTIONS_REQUIRING_STAR_RESOURCE.has(action))) {
      found.push(`${where}: Resource "*" for ${actions.join(', ')}`);
    }
    return found;
  });
}

/** IAM grants name their actions and resources; AWS-managed policies (broad by design) are not attached. */
export const noWildcardIam: Policy = (resources) => [
  ...[...ofType(resources, T.rolePolicy), ...ofType(resources, T.policy)].flatMap((p) =>
    statementViolations(p.name, parseJson(p.inputs.policy)),
  ),
  ...ofType(resources, T.role).flatMap((role) => [
    ...asList(role.inputs.managedPolicyArns as string[] | undefined).map(
      (arn) => `${role.name}: managed policy ${arn} attached`,
    ),
    ...asList(role.inputs.inlinePolicies as { name?: string; policy?: string }[] | undefined).flatMap((inline) =>
      statementViolations(`${role.name}/${inline.name ?? 'inline'}`, parseJson(inline.policy)),
    ),
  ]),
  ...ofType(resources, T.attachment).map((a) => `${a.name}: policy ${String(a.inputs.policyArn)} attached`),
];

/** Every alarm tells on-call both when it fires and when it clears, through a topic of this stack. */
export const alarmsNotifyTopic: Policy = (resources) => {
  const topicArns = new Set(ofType(resources, T.topic).map((topic) => topic.state.arn as string));
  const alarms = ofType(resources, T.alarm);
  if (alarms.length === 0) return ['no alarms at all'];
  return alarms.flatMap((alarm) =>
    (['alarmActions', 'okActions'] as const).flatMap((key) =>
      asList(alarm.inputs[key] as string[] | undefined).some((arn) => topicArns.has(arn))
        ? []
        : [`${alarm.name}: ${key} does not notify the alarm topic`],
    ),
  );
};

/** No log group keeps logs forever (and so no PII-free-but-costly log grows without bound). */
export const logsHaveRetention: Policy = (resources) =>
  ofType(resources, T.logGroup).flatMap((group) => {
    const days = group.inputs.retentionInDays;
    return typeof days === 'number' && days > 0 ? [] : [`${group.name}: no retention`];
  });

/**
 * The database's security groups admit PostgreSQL from the named task groups and nothing else: no
 * address range, no other port, no inline rule.
 */
export function databaseReachableOnlyFrom(allowedGroupIds: readonly string[]): Policy {
  return (resources) => {
    const allowed = new Set(allowedGroupIds);
    const databaseGroups = new Set(
      ofType(resources, T.instance).flatMap((db) => asList(db.inputs.vpcSecurityGroupIds as string[] | undefined)),
    );
    if (databaseGroups.size === 0) return ['no database security group'];
    const inline = ofType(resources, T.securityGroup)
      .filter((group) => databaseGroups.has(group.id))
      .flatMap((group) =>
        asList(group.inputs.ingress as unknown[] | undefined).length > 0 ? [`${group.name}: inline ingress rules`] : [],
      );
    const rules = ofType(resources, T.ingressRule).filter((rule) => databaseGroups.has(rule.inputs.securityGroupId as string));
    return [
      ...inline,
      ...rules.flatMap((rule) => {
        const found: string[] = [];
        const source = rule.inputs.referencedSecurityGroupId as string | undefined;
        if (source === undefined || !allowed.has(source)) found.push(`${rule.name}: admits ${source ?? 'an address range'}`);
        if (rule.inputs.cidrIpv4 || rule.inputs.cidrIpv6 || rule.inputs.prefixListId) {
          found.push(`${rule.name}: admits an address range`);
        }
        if (rule.inputs.fromPort !== 5432 || rule.inputs.toPort !== 5432 || rule.inputs.ipProtocol !== 'tcp') {
          found.push(`${rule.name}: admits more than tcp/5432`);
        }
        return found;
      }),
    ];
  };
}

interface ContainerDefinition {
  name: string;
  user?: string;
  readonlyRootFilesystem?: boolean;
  privileged?: boolean;
  environment?: { name: string; value: string }[];
  logConfiguration?: { logDriver?: string };
}

/** Environment names that carry secret material; these must come from `secrets`, never `environment`. */
const SECRET_VALUED_VARIABLES = ['MASKING_KEY', 'MASKING_KEYSET', 'DATABASE_PASSWORD', 'DATABASE_URL'];

/** Containers run as a non-root user on a read-only root filesystem, log to CloudWatch, and get secrets injected. */
export const tasksAreHardened: Policy = (resources) =>
  ofType(resources, T.taskDefinition).flatMap((task) =>
    (parseJson(task.inputs.containerDefinitions) as ContainerDefinition[]).flatMap((container) => {
      const where = `${task.name}/${container.name}`;
      const found: string[] = [];
      const user = container.user?.split(':')[0];
      if (!user || user === '0' || user === 'root') found.push(`${where}: runs as root`);
      if (container.readonlyRootFilesystem !== true) found.push(`${where}: root filesystem is writable`);
      if (container.privileged) found.push(`${where}: privileged`);
      if (container.logConfiguration?.logDriver !== 'awslogs') found.push(`${where}: logs do not go to CloudWatch`);
      for (const variable of container.environment ?? []) {
        if (SECRET_VALUED_VARIABLES.includes(variable.name)) found.push(`${where}: ${variable.name} as a plain environment value`);
      }
      return found;
    }),
  );

/** Tasks never get a public IP. */
export const noPublicTaskIp: Policy = (resources) =>
  ofType(resources, T.service).flatMap((service) => {
    const network = service.inputs.networkConfiguration as { assignPublicIp?: boolean } | undefined;
    return network?.assignPublicIp === false ? [] : [`${service.name}: tasks may get a public IP`];
  });

export const EVERY_STAGE_POLICIES: Record<string, Policy> = {
  'the database is private': databaseIsPrivate,
  'data at rest is encrypted everywhere': encryptionEverywhere,
  'IAM has no wildcard grants': noWildcardIam,
  'every alarm notifies the topic on ALARM and OK': alarmsNotifyTopic,
  'every log group has a retention': logsHaveRetention,
  'task containers are hardened': tasksAreHardened,
  'tasks get no public IP': noPublicTaskIp,
};
