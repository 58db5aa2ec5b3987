/**
 * The date waivers are judged against: today (UTC), or `PLATFORM_TODAY=YYYY-MM-DD` so tests and
 * "what expires next month?" runs can set the clock.
 */
import { z } from 'zod';

const Today = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  .refine((text) => {
    const date = new Date(`${text}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
  }, 'is not a calendar date');

export function policyDate(env: Readonly<Record<string, string | undefined>> = process.env, now: Date = new Date()): string {
  const override = env.PLATFORM_TODAY;
  if (override === undefined || override === '') return now.toISOString().slice(0, 10);
  const parsed = Today.safeParse(override);
  if (!parsed.success) throw new Error(`PLATFORM_TODAY: "${override}" ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  return parsed.data;
}
