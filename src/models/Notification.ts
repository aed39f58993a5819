import { BaseModel } from './BaseModel.ts';

export type NotificationType =
  | 'request_created'
  | 'request_accepted'
  | 'request_declined'
  | 'request_cancelled'
  | 'booking_created'
  | 'booking_cancelled'
  | 'session_updated'
  | 'session_rescheduled'
  | 'session_cancelled'
  | 'session_started'
  | 'session_completed'
  | 'mentor_ready'
  | 'learner_ready'
  | 'session_reminder'
  | 'payout_requested'
  | 'payout_approved'
  | 'payout_rejected'
  | 'payout_paid'
  | 'feedback_received'
  | 'broadcast'
  | 'webhook_disabled';

export interface NotificationData {
  session?: number;
  booking?: number;
  request?: number;
  payout?: number;
  feedback?: number;
}

export class Notification extends BaseModel {
  static override tableName = 'notifications';
  static override timeColumns = ['read_at', 'timestamp'];
  static override boolColumns = ['read_status'];
  static override insertTimestamps = ['timestamp'];
  static override get jsonAttributes() {
    return ['data'];
  }

  id!: number;
  user_id!: number;
  type!: NotificationType;
  message!: string;
  link!: string | null;
  data!: NotificationData;
  read_status!: boolean;
  read_at!: Date | null;
  timestamp!: Date;
  dedupe_key!: string | null;
}
