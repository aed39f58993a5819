/** The event outbox and the webhook tables (migrations/20261202060000_webhooks.ts). */
import { BaseModel } from './BaseModel.ts';

export class OutboxEvent extends BaseModel {
  static override tableName = 'events';
  static override timeColumns = ['created_at'];
  static override insertTimestamps = ['created_at'];
  static override get jsonAttributes() {
    return ['data'];
  }

  id!: number;
  type!: string;
  data!: Record<string, unknown>;
  created_at!: Date;
}

export class WebhookEndpoint extends BaseModel {
  static override tableName = 'webhook_endpoints';
  static override timeColumns = ['previous_secret_expires_at', 'failing_since', 'created_at', 'updated_at'];
  static override boolColumns = ['enabled'];
  static override insertTimestamps = ['created_at'];
  static override hasUpdatedAt = true;
  static override get jsonAttributes() {
    return ['events'];
  }

  id!: number;
  url!: string;
  description!: string;
  events!: string[];
  enabled!: boolean;
  secret!: string;
  previous_secret!: string | null;
  previous_secret_expires_at!: Date | null;
  failing_since!: Date | null;
  disabled_reason!: string | null;
  created_by!: number | null;
  created_at!: Date;
  updated_at!: Date;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export class WebhookDelivery extends BaseModel {
  static override tableName = 'webhook_deliveries';
  static override timeColumns = ['next_attempt_at', 'lease_until', 'last_attempt_at', 'created_at', 'updated_at'];
  static override boolColumns = ['final_attempt'];
  static override insertTimestamps = ['created_at'];
  static override hasUpdatedAt = true;

  id!: number;
  endpoint_id!: number;
  event_id!: number | null;
  message_id!: string;
  event_type!: string;
  payload!: string;
  status!: DeliveryStatus;
  attempt_count!: number;
  final_attempt!: boolean;
  next_attempt_at!: Date | null;
  lease_token!: string | null;
  lease_until!: Date | null;
  last_attempt_at!: Date | null;
  created_at!: Date;
  updated_at!: Date;
}

export class WebhookAttempt extends BaseModel {
  static override tableName = 'webhook_attempts';
  static override timeColumns = ['attempted_at'];
  static override boolColumns = ['succeeded'];
  static override insertTimestamps = ['attempted_at'];

  id!: number;
  delivery_id!: number;
  attempted_at!: Date;
  status_code!: number | null;
  duration_ms!: number;
  response_body!: string | null;
  error!: string | null;
  succeeded!: boolean;
}
