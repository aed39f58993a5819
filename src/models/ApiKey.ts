import { BaseModel } from './BaseModel.ts';

/** An API key of a host platform's server. Only the SHA-256 of the secret is stored. */
export class ApiKey extends BaseModel {
  static override tableName = 'api_keys';
  static override timeColumns = ['created_at', 'last_used_at', 'expires_at', 'revoked_at'];
  static override insertTimestamps = ['created_at'];
  static override get jsonAttributes() {
    return ['scopes'];
  }

  id!: number;
  name!: string;
  /** The first characters of the key (`mdk_` + 8), shown in listings and used to find it. */
  prefix!: string;
  /** Hex SHA-256 of the whole key. */
  key_hash!: string;
  scopes!: string[];
  created_by!: number | null;
  created_at!: Date;
  last_used_at!: Date | null;
  expires_at!: Date | null;
  revoked_at!: Date | null;
}
