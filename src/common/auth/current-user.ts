import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
export const ROLES = ['office_manager', 'office_staff', 'secretariat', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Someone who logs in, as other features may see them (no password hash, no lock state). */
export interface Account {
  id: string;
  email: string;
  name: string;
  role: Role;
  officeId: string | null;
  networkId: string | null;
  /** Set when the request came with an API key: the key it acts through (the audit log names it). */
  apiKey?: { id: string; name: string };
}

/** The logged-in user, as the auth guard attaches it to the request. */
export type CurrentUser = Account;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth guard. */
    user?: CurrentUser;
    sessionToken?: string;
    /** MFA_REQUIRED and the user has no second factor yet: only enrolment is open. */
    mfaEnrolmentPending?: boolean;
  }
}

export const IS_PUBLIC = 'renkei:public';
export const DURING_ENROLMENT = 'renkei:during-enrolment';
export const ROLES_KEY = 'renkei:roles';

/** Reachable without logging in. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Open to a session that still has to enrol a second factor (MFA_REQUIRED): enrolment itself, log-out. */
export const AllowDuringEnrolment = () => SetMetadata(DURING_ENROLMENT, true);

/** Only these roles; anyone else gets 403. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export const User = createParamDecorator(
  (_: unknown, context: ExecutionContext): CurrentUser => context.switchToHttp().getRequest<FastifyRequest>().user!,
);

export function isOfficeUser(user: CurrentUser): user is CurrentUser & { officeId: string } {
  return user.role === 'office_manager' || user.role === 'office_staff';
}
