// The user record as the API returns it. Timestamps are ISO strings so a user survives a JSON round trip (cache).
export type CrmStatus = 'pending' | 'synced' | 'failed';

export interface User {
  id: string;
  email: string;
  name: string;
  crmStatus: CrmStatus;
  crmId: string | null;
  createdAt: string;
  updatedAt: string;
}

export class DuplicateEmailError extends Error {
  constructor(readonly email: string) {
    super(`A user with email ${email} already exists`);
    this.name = 'DuplicateEmailError';
  }
}
