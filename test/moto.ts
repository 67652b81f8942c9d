// A real moto_server (the image's Python) as the SNS and SQS peer of the publishing tests.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as netServer } from 'node:net';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

const CREDS = { accessKeyId: 'test', secretAccessKey: 'test' };

export async function freePort(): Promise<number> {
  const s = netServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

export async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let counter = 0;
const name = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`;

export interface Moto {
  url: string;
  sns: SNSClient;
  sqs: SQSClient;
  /** A topic with a fresh SQS queue subscribed to it. */
  topicWithQueue(): Promise<{ topicArn: string; queueUrl: string }>;
  /** The SNS notifications that reached the queue (waits until there is at least one). */
  received(queueUrl: string): Promise<any[]>;
  stop(): void;
}

export async function startMoto(): Promise<Moto> {
  const url = `http://127.0.0.1:${await freePort()}`;
  const proc: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', url.split(':')[2]], { stdio: 'ignore' });
  await until('moto_server', async () => ((await fetch(`${url}/moto-api/`)).ok ? true : undefined), 60_000);
  const sns = new SNSClient({ endpoint: url, region: 'us-east-1', credentials: CREDS });
  const sqs = new SQSClient({ endpoint: url, region: 'us-east-1', credentials: CREDS });
  return {
    url,
    sns,
    sqs,
    async topicWithQueue() {
      const topicArn = (await sns.send(new CreateTopicCommand({ Name: name('warden-findings') }))).TopicArn!;
      const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: name('warden-queue') }))).QueueUrl!;
      const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
      await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: attrs.Attributes!.QueueArn! }));
      return { topicArn, queueUrl };
    },
    received(queueUrl) {
      return until('a message on the queue', async () => {
        const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        return r.Messages?.length ? r.Messages.map((m) => JSON.parse(m.Body!)) : undefined;
      });
    },
    stop() {
      sns.destroy();
      sqs.destroy();
      proc.kill('SIGTERM');
    },
  };
}
