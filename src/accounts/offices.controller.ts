import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DomainError, FieldError } from '../common/errors/domain-error';
import { NetworksService } from '../networks/networks.service';
import { CurrentUser, Roles, User } from './current-user';
import { Office } from './accounts.types';
import { OfficesService } from './offices.service';

@ApiTags('auth')
@Controller('api/offices')
export class OfficesController {
  constructor(
    private readonly offices: OfficesService,
    private readonly networks: NetworksService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Offices the user may see: all (admin), the network’s (事務局), or its own' })
  list(@User() user: CurrentUser): Promise<Office[]> {
    return this.offices.visibleTo(user);
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Register an office (事業所) in a network (admin); then create its users with POST /api/users' })
  async create(
    @Body() body: { networkId?: unknown; name?: unknown; postalCode?: unknown; address?: unknown; phone?: unknown },
  ): Promise<Office> {
    const errors: FieldError[] = [];
    const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : null);
    const networkId = text(body?.networkId);
    if (!networkId || !this.networks.list().some((n) => n.id === networkId)) {
      errors.push({
        path: 'networkId',
        label: 'ネットワーク',
        message: `ネットワークは次のいずれかです: ${this.networks
          .list()
          .map((n) => n.id)
          .join(', ')}`,
      });
    }
    const name = text(body?.name);
    if (!name || name.length > 60) errors.push({ path: 'name', label: '事業所名', message: '事業所名を60文字以内で入力してください' });
    const postalCode = text(body?.postalCode)?.normalize('NFKC') ?? null;
    if (postalCode && !/^\d{3}-?\d{4}$/.test(postalCode))
      errors.push({ path: 'postalCode', label: '郵便番号', message: '郵便番号は7桁で入力してください（例: 203-0053）' });
    if (errors.length) throw new DomainError('INVALID_REQUEST', `入力内容に${errors.length}件の誤りがあります`, { errors });
    return this.offices.create({ networkId: networkId!, name: name!, postalCode, address: text(body?.address), phone: text(body?.phone) });
  }
}
