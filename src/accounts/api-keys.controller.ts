import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Origin, RequestOrigin } from '../common/request-origin';
import { ApiKeySummary, CreatedApiKey } from './accounts.types';
import { ApiKeysService } from './api-keys.service';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { ApiKeySummaryDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';

@ApiTags('integrations')
@ApiBearerAuth()
@Roles('office_manager', 'secretariat')
@Controller('api/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiOperation({
    summary:
      "Create an API key of the office (its manager) or of the 事務局. The key is in this answer only; send it as `Authorization: Bearer <key>` to act with the manager's or the 事務局's rights (no CSRF token)",
  })
  create(@User() user: CurrentUser, @Body() body: CreateApiKeyDto, @Origin() origin: RequestOrigin): Promise<CreatedApiKey> {
    return this.keys.create(user, body.name, origin);
  }

  @Get()
  @ApiOkResponse({ type: ApiKeySummaryDto, isArray: true })
  @ApiOperation({ summary: 'The live keys of the office or 事務局: name, first characters, when made, last used (never the key)' })
  list(@User() user: CurrentUser): Promise<ApiKeySummary[]> {
    return this.keys.list(user);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a key: the next request with it gets 401' })
  revoke(@User() user: CurrentUser, @Param('id') id: string, @Origin() origin: RequestOrigin): Promise<void> {
    return this.keys.revoke(user, id, origin);
  }
}
