/** Small pieces every page uses: notices, a secret shown once, a progress bar, times for people. */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import QRCode from 'qrcode';
import { progressDetail } from '../../jobs/progress';
import { ApiProblem, type ExportProgressView } from './api';

export function Notice({ kind, children }: { kind: 'error' | 'ok' | 'info'; children: ComponentChildren }) {
  return (
    <div class={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** An app password, shown this once: the server keeps only its hash. */
export function SecretOnce({ label, secret, onDone }: { label: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <section class="secret" aria-label={label}>
      <h3>{label}</h3>
      <p>Shown once: the server keeps only a hash. Enter it on the device now, or copy it.</p>
      <code data-testid="secret">{secret}</code>
      <div class="row">
        <button
          type="button"
          onClick={() =>
            navigator.clipboard?.writeText(secret).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" class="plain" onClick={onDone}>
          Done, hide it
        </button>
      </div>
    </section>
  );
}

const STATE_LABEL: Record<ExportProgressView['state'], string> = {
  'not-enabled': 'Not enabled',
  queued: 'Queued',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/**
 * The initial export as a bar: queued (empty), running n of m, done (full), failed or cancelled.
 * `starting`: the export was started with an enable a moment ago, so a "queued" answer means it
 * is being picked up, not that it waits for the schedule.
 */
export function ExportBar({ progress, starting = false }: { progress: ExportProgressView; starting?: boolean }) {
  const { state, done, total } = progress;
  const justStarted = starting && state === 'queued';
  const max = total ?? 0;
  const value = state === 'done' ? max : done ?? 0;
  const determinate = total !== null && total > 0;
  return (
    <div class={`export ${state}`} data-testid="export">
      <div class="row spread">
        <strong data-testid="export-state">{justStarted ? 'Starting' : STATE_LABEL[state]}</strong>
        {determinate && (
          <span>
            {value} of {max}
          </span>
        )}
      </div>
      {state !== 'not-enabled' && (
        <progress aria-label="Initial export" max={determinate ? max : 1} value={determinate ? value : state === 'done' ? 1 : undefined} />
      )}
      <p class="muted" data-testid="export-summary">
        {justStarted ? 'started with the enable; its progress shows here in a moment' : progressDetail(progress)}
      </p>
      {progress.windowStart && (
        <p class="muted">
          Window: {formatTime(progress.windowStart)} to {formatTime(progress.windowEnd!)}
        </p>
      )}
    </div>
  );
}

/** A QR code of `text`, drawn in the browser (nothing leaves the page). */
export function Qr({ text }: { text: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    QRCode.toDataURL(text, { margin: 1, width: 220, errorCorrectionLevel: 'M' }).then((url) => live && setSrc(url));
    return () => {
      live = false;
    };
  }, [text]);
  return src ? <img class="qr" src={src} width={220} height={220} alt="QR code of the set-up link" data-testid="qr" /> : null;
}

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export const formatTime = (iso: string) => when.format(new Date(iso));

/** "5 minutes ago", "yesterday": how long since `iso`, in the largest unit that fits. */
export function ago(iso: string, now = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
  ];
  for (const [unit, size] of units) if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  return relative.format(seconds, 'second');
}

/** Calls `load` now and every `ms` while `active`. */
export function usePolling(load: () => void, ms: number, active: boolean): void {
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(load, ms);
    return () => clearInterval(timer);
  }, [active, ms, load]);
}

/** What to tell people about a failed call: the server's message, else that it was unreachable. */
export const problemText = (err: unknown) => (err instanceof ApiProblem ? err.message : 'The server could not be reached');

/**
 * A button's work: `run` marks it busy, clears the last error, and keeps the error's text if the
 * work fails; `busy` disables the button meanwhile.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(problemText(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

/** Every zone the browser knows, and UTC (which Intl does not list): the time zone picker's choices. */
const ZONES = ['UTC', ...Intl.supportedValuesOf('timeZone')];
const BY_LOWER = new Map(ZONES.map((z) => [z.toLowerCase(), z]));

/**
 * A time zone field: type to pick from the list, in any case; a name typed in another case is
 * put right on leaving the field (the server stores the canonical spelling in any case).
 */
export function TimeZoneInput({ value, onChange, label = 'Time zone' }: { value: string; onChange: (zone: string) => void; label?: string }) {
  return (
    <label>
      {label}
      <input
        name="timeZone"
        list="time-zones"
        autocomplete="off"
        spellcheck={false}
        value={value}
        onInput={(e) => onChange(e.currentTarget.value)}
        onBlur={(e) => onChange(BY_LOWER.get(e.currentTarget.value.trim().toLowerCase()) ?? e.currentTarget.value.trim())}
      />
      <datalist id="time-zones">
        {ZONES.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
    </label>
  );
}

/**
 * A destructive action behind a second, explicit click: the first shows what will happen and
 * the confirming button; Cancel (or Escape) steps back.
 */
export function Confirm({ label, question, confirm, danger = false, disabled = false, onConfirm }: { label: string; question: string; confirm: string; danger?: boolean; disabled?: boolean; onConfirm: () => Promise<void> }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" class={danger ? 'danger' : 'plain'} disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <div class="confirm" role="alertdialog" aria-label={label} onKeyDown={(e) => e.key === 'Escape' && setAsking(false)}>
      <p>{question}</p>
      <div class="row">
        <button
          type="button"
          class={danger ? 'danger' : undefined}
          autofocus
          onClick={() => {
            setAsking(false);
            void onConfirm();
          }}
        >
          {confirm}
        </button>
        <button type="button" class="plain" onClick={() => setAsking(false)}>
          Cancel
        </button>
      </div>
    </div>
  );
}
