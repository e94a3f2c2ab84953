// The environment the ECS task definition gives the consumer container (ARNs, not secrets), for
// starting the compiled entry points as the container would.
export function containerEnv(healthPort: number): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'eu-west-1',
    QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q',
    DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq',
    DATABASE_HOST: 'db.internal',
    DATABASE_USER: 'login_admin',
    DATABASE_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db',
    MASKING_KEY_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:keys',
    HEALTH_PORT: String(healthPort),
  };
}
