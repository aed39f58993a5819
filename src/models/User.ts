import { BaseModel } from './BaseModel.ts';

export type Role = 'mentor' | 'learner';

export class User extends BaseModel {
  static override tableName = 'users';
  static override timeColumns = ['created_at', 'updated_at', 'last_login'];
  static override boolColumns = ['is_admin', 'is_active'];
  static override insertTimestamps = ['created_at'];
  static override hasUpdatedAt = true;
  static override get jsonAttributes() {
    return ['expertise'];
  }

  id!: number;
  username!: string;
  email!: string;
  /** Null for users provisioned by a host platform: they never log in with a password. */
  password_hash!: string | null;
  /** The host platform's id of a provisioned user (src/services/platformUsers.ts). */
  external_id!: string | null;
  role!: Role;
  is_admin!: boolean;
  is_active!: boolean;
  first_name!: string;
  last_name!: string;
  bio!: string;
  expertise!: string[];
  timezone!: string;
  hourly_rate_cents!: number | null;
  currency!: string;
  avatar!: string | null;
  created_at!: Date;
  updated_at!: Date;
  last_login!: Date | null;

  get displayName(): string {
    const full = `${this.first_name ?? ''} ${this.last_name ?? ''}`.trim();
    return full || this.username;
  }
}
