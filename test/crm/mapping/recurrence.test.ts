import { describe, expect, it } from 'vitest';
import { validateRrule } from '../../../lambda/crm/mapping';
import { CrmValidationError } from '../../../lambda/crm/types';

describe('validateRrule', () => {
  it.each(['FREQ=DAILY', 'FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20240601T000000Z', 'FREQ=MONTHLY;BYDAY=-1FR;COUNT=12', 'RRULE:FREQ=YEARLY;INTERVAL=2'])('accepts %s', (rule) => {
    expect(validateRrule(rule, 'f').freq).toBeTruthy();
  });

  it.each(['', 'INTERVAL=2', 'FREQ=SOMETIMES', 'FREQ=DAILY;COUNT=0', 'FREQ=DAILY;INTERVAL=-1', 'FREQ=DAILY;COUNT=2;UNTIL=20240101', 'FREQ=DAILY;FREQ=WEEKLY', 'FREQ=WEEKLY;BYDAY=XX', 'FREQ=DAILY;X=1', 'garbage'])(
    'rejects "%s" naming the field',
    (rule) => {
      const err = (() => {
        try {
          validateRrule(rule, 'Recurring_Activity.RRULE');
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err).toBeInstanceOf(CrmValidationError);
      expect(err).toMatchObject({ field: 'Recurring_Activity.RRULE' });
    },
  );
});
