import React, { type ChangeEvent, type FormEvent, useState } from 'react';
import type { AppPluginMeta, PluginConfigPageProps } from '@grafana/data';
import { Alert, Button, Field, FieldSet, Input, SecretInput, Stack, Text } from '@grafana/ui';
import { describeError } from '../../api/describe-error';
import { getReady, sortedChecks, type ReadyResponse } from '../../api/health';
import { updateAppSettings, type AppSettingsUpdate } from '../../api/plugin-settings';
import { testIds } from '../../components/testIds';
import { DEFAULT_API_URL } from '../../constants';
import { labels } from '../../labels';
import type { AppJsonData } from '../../types';
import { reloadPage } from '../../utils/browser';
import { formatLatency } from '../../utils/format';

export interface SettingsProps extends PluginConfigPageProps<AppPluginMeta<AppJsonData>> {}

type TestResult =
  | { kind: 'running' }
  | { kind: 'ready'; ready: ReadyResponse }
  | { kind: 'not_ready'; ready: ReadyResponse }
  | { kind: 'error'; error: unknown };

export function isValidApiUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * The app's Configuration page: where Grafana's server reaches the backend (jsonData.apiUrl) and the API key it sends
 * (secureJsonData.apiKey, write-only). Both feed the plugin.json proxy route, so the browser never holds the key.
 */
function Settings({ plugin }: SettingsProps) {
  const { id, enabled, pinned, jsonData, secureJsonFields } = plugin.meta;
  const savedApiUrl = jsonData?.apiUrl ?? '';
  const savedKeySet = Boolean(secureJsonFields?.apiKey);

  const [apiUrl, setApiUrl] = useState(savedApiUrl || DEFAULT_API_URL);
  const [apiKey, setApiKey] = useState('');
  const [isApiKeySet, setIsApiKeySet] = useState(savedKeySet);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string>();
  const [test, setTest] = useState<TestResult>();

  const urlValid = isValidApiUrl(apiUrl.trim());
  const dirty = apiUrl.trim() !== savedApiUrl || apiKey !== '' || isApiKeySet !== savedKeySet;

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!urlValid || saving) {
      return;
    }
    const update: AppSettingsUpdate = {
      enabled: Boolean(enabled),
      pinned: Boolean(pinned),
      // Keep any other settings the app stores, change only the URL.
      jsonData: { ...jsonData, apiUrl: apiUrl.trim() },
    };
    if (!isApiKeySet && apiKey.trim() !== '') {
      update.secureJsonData = { apiKey: apiKey.trim() };
    } else if (!isApiKeySet && savedKeySet) {
      // Reset and left empty: clear the stored key.
      update.secureJsonData = { apiKey: '' };
    }
    // Otherwise leave secureJsonData out, so the stored key is kept: Grafana never sends it back to the browser.

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
    try {
      const ready = await getReady();
      setTest({ kind: ready.status === 'ready' ? 'ready' : 'not_ready', ready });
    } catch (error) {
      setTest({ kind: 'error', error });
    }
  };

  return (
    <form onSubmit={onSubmit} data-testid={testIds.appConfig.container}>
      <FieldSet label={labels.config.title}>
        <Field
          label={labels.config.apiUrl.label}
          description={labels.config.apiUrl.description}
          invalid={!urlValid}
          error={urlValid ? undefined : labels.config.apiUrl.invalid}
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

        <Field label={labels.config.apiKey.label} description={labels.config.apiKey.description}>
          <SecretInput
            width={60}
            id="config-api-key"
            name="apiKey"
            data-testid={testIds.appConfig.apiKey}
            value={apiKey}
            isConfigured={isApiKeySet}
            placeholder={labels.config.apiKey.placeholder}
            onChange={(event: ChangeEvent<HTMLInputElement>) => setApiKey(event.target.value)}
            onReset={() => {
              setApiKey('');
              setIsApiKeySet(false);
            }}
          />
        </Field>

        {saveError !== undefined && (
          <div data-testid={testIds.appConfig.saveError}>
            <Alert severity="error" title={labels.config.saveFailed(saveError)} />
          </div>
        )}

        <Stack direction="row" gap={2}>
          <Button type="submit" data-testid={testIds.appConfig.submit} disabled={!urlValid || saving || !dirty}>
            {saving ? labels.config.saving : labels.config.save}
          </Button>
          <Button
            type="button"
            variant="secondary"
            icon="heart-rate"
            data-testid={testIds.appConfig.testConnection}
            disabled={test?.kind === 'running'}
            onClick={onTest}
          >
            {test?.kind === 'running' ? labels.config.testing : labels.config.testConnection}
          </Button>
        </Stack>
        {dirty && (
          <Text element="p" color="secondary">
            {labels.config.unsavedChanges}
          </Text>
        )}

        {test && test.kind !== 'running' && (
          <div data-testid={testIds.appConfig.testResult}>
            <TestResultView result={test} apiUrlSet={savedApiUrl !== ''} />
          </div>
        )}
      </FieldSet>
    </form>
  );
}

function TestResultView({
  result,
  apiUrlSet,
}: {
  result: Exclude<TestResult, { kind: 'running' }>;
  apiUrlSet: boolean;
}) {
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
      <Alert severity="success" title={labels.config.testOk}>
        <ul>
          {checks.map(([engine, check]) => (
            <li key={engine}>
              {labels.config.engineLine(
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
    <Alert severity="warning" title={labels.config.testNotReady}>
      <ul>
        {checks
          .filter(([, check]) => !check.ok)
          .map(([engine, check]) => (
            <li key={engine}>{labels.config.engineFailed(name(engine), check.error ?? labels.health.engineDown)}</li>
          ))}
      </ul>
    </Alert>
  );
}

export default Settings;
