import { randomBytes } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { Office, Role } from '../../src/accounts/accounts.types';
import { OfficesService } from '../../src/accounts/offices.service';
import { UsersService } from '../../src/accounts/users.service';
import { TEST_PASSWORD } from './test-app';

/** Unique enough to keep test files from seeing each other's records in the shared test database. */
export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export async function createOffice(app: INestApplication, networkId: string, name = unique('事業所')): Promise<Office> {
  return app
    .get(OfficesService)
    .create({ networkId, name, postalCode: '203-0053', address: '東京都東久留米市本町1-2-3', phone: '042-000-0000' });
}

export async function createUser(
  app: INestApplication,
  role: Role,
  where: { officeId?: string; networkId?: string } = {},
): Promise<{ id: string; email: string; name: string }> {
  const email = `${unique(role)}@test.example.jp`;
  const user = await app.get(UsersService).create({ email, name: `試験 ${role}`, password: TEST_PASSWORD, role, ...where });
  return { id: user.id, email, name: user.name };
}

/** An office of the network with its manager, ready to log in. */
export async function createOfficeWithManager(app: INestApplication, networkId: string) {
  const office = await createOffice(app, networkId);
  const manager = await createUser(app, 'office_manager', { officeId: office.id });
  return { office, manager };
}
