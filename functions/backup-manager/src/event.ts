import * as z from 'zod/mini';

/** `{"backup_type": "all" | "ec2" | "rds", "environment": "production", "dryRun"?: true}` */
export const BackupEventSchema = z.looseObject({
  backup_type: z.enum(['all', 'ec2', 'rds'], 'must be one of all, ec2, rds'),
  environment: z
    .string('is required: the value of the Environment tag to back up')
    .check(
      z.trim(),
      z.minLength(1, 'must not be empty'),
      z.maxLength(256, 'must be at most 256 characters'),
    ),
  dryRun: z.optional(z.boolean('must be true or false')),
});

export type BackupEvent = z.infer<typeof BackupEventSchema>;
