import React, { type ChangeEvent, type FormEvent, useState } from 'react';
import type { AppPluginMeta, PluginConfigPageProps } from '@grafana/data';
import { Alert, Button, Field, FieldSet, Input, SecretInput, Stack, Text } from '@grafana/ui';
import { describeError } from '../../api/describe-error';
import { ApiError } from '../../api/errors';
import { getReady, sortedChecks, type ReadyResponse } from '../../api/health';
import {
  checkAdminKey,
  checkReadKey,
  checkResponderKey,
  updateAppSettings,
  type AppSettingsUpdate,
} from '../../api/plugin-settings';
import { testIds } from '../../components/testIds';
import { DEFAULT_API_URL } from '../../constants';
import { labels } from '../../labels';
import { APP_KEY_NAMES, type AppJsonData, type AppKeyName, type AppSecureJsonData } from '../../types';
import { reloadPage } from '../../utils/browser';
import { formatLatency } from '../../utils/format';
import { settingsTestIds } from './testIds';

export interface SettingsProps extends PluginConfigPageProps<AppPluginMeta<AppJsonData>> {}

type ReadyResult =
  | { kind: 'ready'; ready: ReadyResponse }
  | { kind: 'not_ready'; ready: ReadyResponse }
  | { kind: 'error'; error: unknown };

type KeyCheck = { kind: 'ok' } | { kind: 'not_set' } | { kind: 'error'; error: unknown };

type TestResult = { kind: 'running' } | { kind: 'done'; ready: ReadyResult; keys?: Record<AppKeyName, KeyCheck> };

export function isValidApiUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * The URL as it is saved: trimmed, without trailing slashes. plugin.json's routes append paths to it
 * (`{{ .JsonData.apiUrl }}/v1/analytics`), and the backend does not route `//v1/…`.
 */
export function normalizeApiUrl(value: string): string {
  return value.trim().replace(/\/+$/, '');
}

const c = labels.config;

interface KeyText {
  label: string;
  description: string;
  placeholder: string;
}

interface KeyState {
  value: string;
  /** Shown as configured (Grafana has one stored and it was not reset). */
  isSet: boolean;
}

/**
 * The app's Configuration page: where Grafana's server reaches the backend (jsonData.apiUrl) and the keys Grafana
 * sends (secureJsonData, write-only): a read key (backend role viewer) on the routes open to Viewers, the admin key
 * only on the routes gated by `reqRole: Admin` (plugin.json). The browser never holds a key.
 */
function Settings({ plugin }: SettingsProps) {
  const { id, enabled, pinned, jsonData, secureJsonFields } = plugin.meta;
  const fields = (secureJsonFields ?? {}) as Partial<Record<keyof AppSecureJsonData, boolean>>;
  const savedApiUrl = jsonData?.apiUrl ?? '';
  const saved: Record<AppKeyName, boolean> = {
    viewerKey: Boolean(fields.viewerKey),
    responderKey: Boolean(fields.responderKey),
    adminKey: Boolean(fields.adminKey),
  };
  const legacyKeyStored = Boolean(fields.apiKey);

  const [apiUrl, setApiUrl] = useState(savedApiUrl || DEFAULT_API_URL);
  const [keys, setKeys] = useState<Record<AppKeyName, KeyState>>({
    viewerKey: { value: '', isSet: saved.viewerKey },
    responderKey: { value: '', isSet: saved.responderKey },
    adminKey: { value: '', isSet: saved.adminKey },
  });
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string>();
  const [test, setTest] = useState<TestResult>();

  const url = normalizeApiUrl(apiUrl);
  const urlValid = isValidApiUrl(url);
  const keyDirty = (name: AppKeyName) => keys[name].value.trim() !== '' || keys[name].isSet !== saved[name];
  const dirty = url !== savedApiUrl || APP_KEY_NAMES.some(keyDirty) || legacyKeyStored;

  const setKey = (name: AppKeyName, patch: Partial<KeyState>) =>
    setKeys((current) => ({ ...current, [name]: { ...current[name], ...patch } }));

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!urlValid || saving) {
      return;
    }
    const update: AppSettingsUpdate = {
      enabled: Boolean(enabled),
      pinned: Boolean(pinned),
      // Keep any other settings the app stores, change only the URL.
      jsonData: { ...jsonData, apiUrl: url },
    };
    const secrets: AppSecureJsonData = {};
    for (const name of APP_KEY_NAMES) {
      const typed = keys[name].value.trim();
      if (!keys[name].isSet && typed !== '') {
        secrets[name] = typed;
      } else if (!keys[name].isSet && saved[name]) {
        // Reset and left empty: clear the stored key.
        secrets[name] = '';
      }
      // Otherwise leave the key out, so the stored one is kept: Grafana never sends it back to the browser.
    }
    if (legacyKeyStored) {
      // The single key of earlier versions: no route sends it any more, so it only lingers as a stored secret.
      secrets.apiKey = '';
    }
    if (Object.keys(secrets).length > 0) {
      update.secureJsonData = secrets;
    }

    setSaving(true);
    setSaveError(undefined);
    try {
      await updateAppSettings(id, update);
      reloadPage();
    } catch (error) {
      setSaveError(error instanceof Error ? error.message : String(error));
      setSaving(false);
    }
  };

  const onTest = async () => {
    setTest({ kind: 'running' });
    let ready: ReadyResult;
    try {
      const answer = await getReady();
      ready = { kind: answer.status === 'ready' ? 'ready' : 'not_ready', ready: answer };
    } catch (error) {
      // The backend (or the route to it) does not answer: the keys cannot be checked either.
      setTest({ kind: 'done', ready: { kind: 'error', error } });
      return;
    }
    const check = async (name: AppKeyName, call: () => Promise<void>): Promise<KeyCheck> => {
      if (!saved[name]) {
        return { kind: 'not_set' };
      }
      try {
        await call();
        return { kind: 'ok' };
      } catch (error) {
        return { kind: 'error', error };
      }
    };
    const [viewerKey, responderKey, adminKey] = await Promise.all([
      check('viewerKey', () => checkReadKey()),
      check('responderKey', () => checkResponderKey()),
      check('adminKey', () => checkAdminKey()),
    ]);
    setTest({ kind: 'done', ready, keys: { viewerKey, responderKey, adminKey } });
  };

  const keyField = (name: AppKeyName, text: KeyText, testId: string) => (
    <Field label={text.label} description={text.description}>
      <SecretInput
        width={60}
        id={`config-${name}`}
        name={name}
        data-testid={testId}
        value={keys[name].value}
        isConfigured={keys[name].isSet}
        placeholder={text.placeholder}
        onChange={(event: ChangeEvent<HTMLInputElement>) => setKey(name, { value: event.target.value })}
        onReset={() => setKey(name, { value: '', isSet: false })}
      />
    </Field>
  );

  return (
    <form onSubmit={onSubmit} data-testid={testIds.appConfig.container}>
      <FieldSet label={c.title}>
        <Field
          label={c.apiUrl.label}
          description={c.apiUrl.description}
          invalid={!urlValid}
          error={urlValid ? undefined : c.apiUrl.invalid}
        >
          <Input
            width={60}
            id="config-api-url"
            name="apiUrl"
            data-testid={testIds.appConfig.apiUrl}
            value={apiUrl}
            placeholder={DEFAULT_API_URL}
            onChange={(event: ChangeEvent<HTMLInputElement>) => setApiUrl(event.target.value)}
          />
        </Field>
      </FieldSet>

      <FieldSet label={c.keys.title}>
        <Text element="p" color="secondary">
          {c.keys.intro}
        </Text>
        {legacyKeyStored && (
          <div data-testid={settingsTestIds.legacyKey}>
            <Alert severity="warning" title={c.legacyKey.title}>
              {c.legacyKey.body}
            </Alert>
          </div>
        )}
        {keyField('viewerKey', c.viewerKey, settingsTestIds.viewerKey)}
        {keyField('responderKey', c.responderKey, settingsTestIds.responderKey)}
        {keyField('adminKey', c.adminKey, settingsTestIds.adminKey)}

        {saveError !== undefined && (
          <div data-testid={testIds.appConfig.saveError}>
            <Alert severity="error" title={c.saveFailed(saveError)} />
          </div>
        )}

        <Stack direction="row" gap={2}>
          <Button type="submit" data-testid={testIds.appConfig.submit} disabled={!urlValid || saving || !dirty}>
            {saving ? c.saving : c.save}
          </Button>
          <Button
            type="button"
            variant="secondary"
            icon="heart-rate"
            data-testid={testIds.appConfig.testConnection}
            disabled={test?.kind === 'running'}
            onClick={onTest}
          >
            {test?.kind === 'running' ? c.testing : c.testConnection}
          </Button>
        </Stack>
        {dirty && (
          <Text element="p" color="secondary">
            {c.unsavedChanges}
          </Text>
        )}

        {test?.kind === 'done' && (
          <div data-testid={testIds.appConfig.testResult}>
            <ReadyResultView result={test.ready} apiUrlSet={savedApiUrl !== ''} />
            {test.keys && (
              <div data-testid={settingsTestIds.keyChecks}>
                <KeyChecksView checks={test.keys} />
              </div>
            )}
          </div>
        )}
      </FieldSet>
    </form>
  );
}

function ReadyResultView({ result, apiUrlSet }: { result: ReadyResult; apiUrlSet: boolean }) {
  if (result.kind === 'error') {
    const description = describeError(result.error, { apiUrlSet, onConfigPage: true });
    return (
      <Alert severity="error" title={description.title}>
        {description.hint}
      </Alert>
    );
  }
  const checks = sortedChecks(result.ready.checks);
  const name = (engine: string) => labels.health.engineNames[engine] ?? engine;
  if (result.kind === 'ready') {
    return (
      <Alert severity="success" title={c.testOk}>
        <ul>
          {checks.map(([engine, check]) => (
            <li key={engine}>
              {c.engineLine(
                name(engine),
                labels.health.modes[check.mode] ?? check.mode,
                formatLatency(check.latency_ms)
              )}
            </li>
          ))}
        </ul>
      </Alert>
    );
  }
  return (
    <Alert severity="warning" title={c.testNotReady}>
      <ul>
        {checks
          .filter(([, check]) => !check.ok)
          .map(([engine, check]) => (
            <li key={engine}>{c.engineFailed(name(engine), check.error ?? labels.health.engineDown)}</li>
          ))}
      </ul>
    </Alert>
  );
}

/** One line per key: accepted, not set, or what the backend (or Grafana) said and what to change. */
export function describeKeyCheck(name: AppKeyName, check: KeyCheck): string {
  const k = c.keyChecks;
  const text = {
    viewerKey: {
      ok: k.readOk,
      notSet: k.readNotSet,
      rejected: k.readRejected,
      forbidden: k.readForbidden,
      name: k.readName,
    },
    responderKey: {
      ok: k.responderOk,
      notSet: k.responderNotSet,
      rejected: k.responderRejected,
      forbidden: k.responderForbidden,
      name: k.responderName,
    },
    adminKey: {
      ok: k.adminOk,
      notSet: k.adminNotSet,
      rejected: k.adminRejected,
      forbidden: k.adminForbidden,
      name: k.adminName,
    },
  }[name];
  if (check.kind === 'ok') {
    return text.ok;
  }
  if (check.kind === 'not_set') {
    return text.notSet;
  }
  const { error } = check;
  if (error instanceof ApiError && error.fromBackend && error.status === 401) {
    return text.rejected;
  }
  if (error instanceof ApiError && error.fromBackend && error.status === 403) {
    return text.forbidden;
  }
  const description = describeError(error, { onConfigPage: true });
  return k.failed(text.name, description.title, description.hint);
}

function KeyChecksView({ checks }: { checks: Record<AppKeyName, KeyCheck> }) {
  // The responder and admin keys are optional: only a failed check is a problem; the read key must be set and accepted.
  const fine =
    checks.viewerKey.kind === 'ok' && checks.responderKey.kind !== 'error' && checks.adminKey.kind !== 'error';
  return (
    <Alert severity={fine ? 'success' : 'warning'} title={fine ? c.keyChecks.ok : c.keyChecks.problems}>
      <ul>
        {APP_KEY_NAMES.map((name) => (
          <li key={name} data-testid={settingsTestIds.keyCheck(name)}>
            {describeKeyCheck(name, checks[name])}
          </li>
        ))}
      </ul>
    </Alert>
  );
}

export default Settings;
