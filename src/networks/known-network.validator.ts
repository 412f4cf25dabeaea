import { Injectable } from '@nestjs/common';
import { registerDecorator, ValidationOptions, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';
import { NestConstraint } from '../common/validation/validation.pipe';
import { NetworksService } from './networks.service';

/** A network of the catalogue, checked with the request's other fields (so one 400 names every problem). */
@Injectable()
@NestConstraint()
@ValidatorConstraint({ name: 'isKnownNetwork' })
export class KnownNetworkConstraint implements ValidatorConstraintInterface {
  constructor(private readonly networks: NetworksService) {}

  validate(value: unknown): boolean {
    return typeof value === 'string' && this.networks.list().some((n) => n.id === value);
  }

  defaultMessage(): string {
    return `$labelは次のいずれかです: ${this.networks
      .list()
      .map((n) => n.id)
      .join(', ')}`;
  }
}

export function IsKnownNetwork(options?: ValidationOptions): PropertyDecorator {
  return (target, property) =>
    registerDecorator({ target: target.constructor, propertyName: String(property), options, validator: KnownNetworkConstraint });
}
