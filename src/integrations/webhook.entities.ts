import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Where an office's or a 事務局's events are sent (office_id null: the 事務局 of network_id). */
@Entity('webhook_endpoint')
export class WebhookEndpointEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'office_id', nullable: true }) officeId!: string | null;
  @Column('text', { name: 'network_id' }) networkId!: string;
  @Column('text') url!: string;
  @Column('text', { nullable: true }) description!: string | null;
  @Column('text', { array: true }) events!: string[];
  /** whsec_…: the signing key, needed in clear to sign; shown to the owner once. */
  @Column('text', { select: false }) secret!: string;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  /** The first failure since the last success: 24 hours of failures disable the endpoint. */
  @Column('timestamptz', { name: 'failing_since', nullable: true }) failingSince!: Date | null;
  @Column('timestamptz', { name: 'disabled_at', nullable: true }) disabledAt!: Date | null;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt!: Date | null;
}

/** One event for one endpoint: the outbox row, written in the transaction of the change. */
@Entity('webhook_delivery')
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'endpoint_id' }) endpointId!: string;
  /** webhook-id: the same on every attempt, so a receiver can drop a repeat. */
  @Column('text', { name: 'message_id' }) messageId!: string;
  @Column('text', { name: 'event_type' }) eventType!: string;
  /** The exact JSON body that is signed and sent. */
  @Column('text') payload!: string;
  @Column('text') status!: 'pending' | 'delivered' | 'failed' | 'cancelled';
  @Column('int') attempts!: number;
  @Column('timestamptz', { name: 'next_attempt_at', nullable: true }) nextAttemptAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'delivered_at', nullable: true }) deliveredAt!: Date | null;
}

/** One try at a delivery, with the receiver's answer. */
@Entity('webhook_attempt')
export class WebhookAttemptEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('uuid', { name: 'delivery_id' }) deliveryId!: string;
  @Column('timestamptz', { default: () => 'now()' }) at!: Date;
  @Column('int', { name: 'status_code', nullable: true }) statusCode!: number | null;
  @Column('text', { nullable: true }) error!: string | null;
  @Column('int', { name: 'duration_ms' }) durationMs!: number;
  @Column('timestamptz', { name: 'next_attempt_at', nullable: true }) nextAttemptAt!: Date | null;
}
