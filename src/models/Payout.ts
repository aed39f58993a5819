import { BaseModel } from './BaseModel.ts';

export type PayoutStatus = 'pending' | 'approved' | 'paid' | 'rejected';

export class Payout extends BaseModel {
  static override tableName = 'payouts';
  static override timeColumns = ['requested_at', 'processed_at', 'updated_at'];
  static override insertTimestamps = ['requested_at'];
  static override hasUpdatedAt = true;

  id!: number;
  mentor_id!: number;
  amount_cents!: number;
  currency!: string;
  status!: PayoutStatus;
  note!: string | null;
  admin_note!: string | null;
  idempotency_key!: string | null;
  request_hash!: string | null;
  requested_at!: Date;
  processed_at!: Date | null;
  processed_by!: number | null;
  updated_at!: Date;
}
