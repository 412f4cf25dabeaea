import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestOrigin } from '../common/request-origin';
import { Origin } from '../common/request-origin';
import { SESSION_COOKIE, sessionToken } from './auth.guard';
import { AuthService } from './auth.service';
import { CurrentUser, Public, User } from './current-user';
import { LoginDto } from './dto/login.dto';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in; sets the session cookie and also returns the token for API clients (Bearer)' })
  async login(
    @Body() body: LoginDto,
    @Origin() origin: RequestOrigin,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ token: string; user: CurrentUser }> {
    const result = await this.auth.login(body.email, body.password, origin);
    setSessionCookie(request, reply, result.token);
    return result;
  }

  @Post('logout')
  @HttpCode(204)
  async logout(
    @User() user: CurrentUser,
    @Origin() origin: RequestOrigin,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const token = sessionToken(request);
    if (token) await this.auth.logout(token, user, origin);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  @Get('me')
  me(@User() user: CurrentUser): CurrentUser {
    return user;
  }
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https', path: '/' });
}
