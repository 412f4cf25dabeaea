import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RateLimit } from '../common/rate-limit.guard';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles, User } from '../common/auth/current-user';
import { Origin, RequestOrigin } from '../common/request-origin';
import { deviceTokensOf } from '../accounts/login-devices';
import { PrepareDeviceDto, TakeOnVisitDto, VisitSignatureDto } from './dto/visit-signature.dto';
import { VisitsService } from './visits.service';

/** Home visits over the API: what the /visit app itself uses (docs/visits.md). */
@ApiTags('visits')
@Roles('office_manager', 'office_staff')
@Controller('api/visits')
export class VisitsController {
  constructor(private readonly visits: VisitsService) {}

  @Post('documents')
  @ApiOperation({ summary: '訪問に持ち出す: take an issued document with in-person signers on the caller’s visit (VISIT_HOURS)' })
  async take(@User() user: CurrentUser, @Body() body: TakeOnVisitDto, @Origin() origin: RequestOrigin) {
    const { visit, visitDocument } = await this.visits.take(user, body.documentId, origin);
    return { visitId: visit.id, expiresAt: visit.expiresAt, visitDocumentId: visitDocument.id };
  }

  @Get('current')
  @ApiOperation({
    summary: "The caller's running visit with each taken document's reading text, printed sheet and signers ({ visit: null } when none)",
  })
  async current(@User() user: CurrentUser, @Origin() origin: RequestOrigin) {
    return { visit: await this.visits.current(user, origin) };
  }

  @RateLimit('login')
  @Post(':visitId/device')
  @HttpCode(204)
  @ApiOperation({
    summary:
      "Prepares the tablet for the visit: the staff member's password, checked (and counted) like a log-in; the app keeps only a salted PBKDF2 of it, to release the signing screen offline",
  })
  async prepare(
    @User() user: CurrentUser,
    @Param('visitId') visitId: string,
    @Body() body: PrepareDeviceDto,
    @Req() request: FastifyRequest,
    @Origin() origin: RequestOrigin,
  ): Promise<void> {
    await this.visits.prepareDevice(user, visitId, body.password, origin, deviceTokensOf(request));
  }

  @Post(':visitId/signatures')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'A signature made offline on the visit. Refusals: 409 DOCUMENT_CHANGED (withdrawn or corrected), 409 ALREADY_SIGNED (signed another way), 410 REQUEST_CLOSED (request cancelled), 410 VISIT_EXPIRED, 400 INVALID_REQUEST',
  })
  sync(@User() user: CurrentUser, @Param('visitId') visitId: string, @Body() body: VisitSignatureDto, @Origin() origin: RequestOrigin) {
    return this.visits.sync(user, visitId, body, origin);
  }
}
