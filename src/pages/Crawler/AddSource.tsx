import React, { useState } from 'react';
import { Button, Field, Input, RadioButtonGroup, Stack, Text } from '@grafana/ui';
import { addSource, type CreateSourceBody, type SourceInfo } from '../../api/crawler';
import { ErrorAlert } from '../../components/ErrorAlert';
import { testIds } from '../../components/testIds';
import { labels } from '../../labels';
import { describeAdminError } from './crawl-view';

type Kind = CreateSourceBody['kind'];

/** The backend's rule for source ids (contracts/crawler.ts). */
const SOURCE_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export interface SourceForm {
  id: string;
  kind: Kind;
  url: string;
  token: string;
  connectionString: string;
  rateLimit: string;
}

export const EMPTY_FORM: SourceForm = {
  id: '',
  kind: 'caas_http',
  url: '',
  token: '',
  connectionString: '',
  rateLimit: '',
};

/**
 * The form as POST /v1/sources takes it, or what to fix field by field. Only the kind's own fields are sent (a
 * caas_http source takes a URL, an optional token and rate limit; a postgres source its connection string).
 */
export function toSourceBody(form: SourceForm): {
  body?: CreateSourceBody;
  problems: Partial<Record<keyof SourceForm, string>>;
} {
  const f = labels.crawler.add.problems;
  const problems: Partial<Record<keyof SourceForm, string>> = {};
  const id = form.id.trim();
  if (!SOURCE_ID.test(id)) {
    problems.id = f.id;
  }
  if (form.kind === 'caas_http') {
    const url = form.url.trim();
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      problems.url = f.url;
    }
    const rate = form.rateLimit.trim();
    if (rate !== '' && !(Number(rate) > 0 && Number(rate) <= 10_000)) {
      problems.rateLimit = f.rateLimit;
    }
    if (Object.keys(problems).length > 0) {
      return { problems };
    }
    return {
      problems,
      body: {
        id,
        kind: 'caas_http',
        url,
        ...(form.token ? { token: form.token } : {}),
        ...(rate !== '' ? { rate_limit_per_s: Number(rate) } : {}),
      },
    };
  }
  if (!/^postgres(ql)?:\/\//.test(form.connectionString.trim())) {
    problems.connectionString = f.connectionString;
  }
  if (Object.keys(problems).length > 0) {
    return { problems };
  }
  return { problems, body: { id, kind: 'postgres', connection_string: form.connectionString.trim() } };
}

interface Props {
  apiUrlSet?: boolean;
  onAdded: (source: SourceInfo) => void;
  onCancel?: () => void;
}

/** Registers a crawl source (Admins only: POST /v1/sources through the Admin route, with the admin key). */
export function AddSource({ apiUrlSet, onAdded, onCancel }: Props) {
  const a = labels.crawler.add;
  const [form, setForm] = useState<SourceForm>(EMPTY_FORM);
  const [touched, setTouched] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>();
  const { body, problems } = toSourceBody(form);
  const shown = touched ? problems : {};
  const set = (changes: Partial<SourceForm>) => setForm((prev) => ({ ...prev, ...changes }));

  const submit = async () => {
    setTouched(true);
    if (!body) {
      return;
    }
    setSaving(true);
    setError(undefined);
    try {
      const added = await addSource(body);
      setForm(EMPTY_FORM);
      setTouched(false);
      onAdded(added);
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form
      data-testid={testIds.crawler.addForm}
      aria-label={a.title}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <Stack direction="column" gap={0}>
        <Text element="h5">{a.title}</Text>
        <Text element="p" color="secondary" variant="bodySmall">
          {a.hint}
        </Text>
        <Field label={a.id} description={a.idHint} invalid={Boolean(shown.id)} error={shown.id}>
          <Input
            width={30}
            value={form.id}
            onChange={(e) => set({ id: e.currentTarget.value })}
            data-testid={testIds.crawler.addId}
          />
        </Field>
        <Field label={a.kind}>
          <div data-testid={testIds.crawler.addKind}>
            <RadioButtonGroup<Kind>
              value={form.kind}
              onChange={(kind) => set({ kind })}
              options={[
                { value: 'caas_http', label: labels.crawler.sources.kinds.caas_http },
                { value: 'postgres', label: labels.crawler.sources.kinds.postgres },
              ]}
            />
          </div>
        </Field>
        {form.kind === 'caas_http' ? (
          <>
            <Field label={a.url} description={a.urlHint} invalid={Boolean(shown.url)} error={shown.url}>
              <Input
                width={60}
                value={form.url}
                placeholder="https://caas.example.com/caas/v1"
                onChange={(e) => set({ url: e.currentTarget.value })}
                data-testid={testIds.crawler.addUrl}
              />
            </Field>
            <Field label={a.token} description={a.tokenHint}>
              <Input
                width={60}
                type="password"
                autoComplete="off"
                value={form.token}
                onChange={(e) => set({ token: e.currentTarget.value })}
                data-testid={testIds.crawler.addToken}
              />
            </Field>
            <Field
              label={a.rateLimit}
              description={a.rateLimitHint}
              invalid={Boolean(shown.rateLimit)}
              error={shown.rateLimit}
            >
              <Input
                width={12}
                inputMode="decimal"
                value={form.rateLimit}
                onChange={(e) => set({ rateLimit: e.currentTarget.value })}
                data-testid={testIds.crawler.addRate}
              />
            </Field>
          </>
        ) : (
          <Field
            label={a.connectionString}
            description={a.connectionStringHint}
            invalid={Boolean(shown.connectionString)}
            error={shown.connectionString}
          >
            <Input
              width={60}
              type="password"
              autoComplete="off"
              value={form.connectionString}
              placeholder="postgres://crawler:…@db.example:5432/caas"
              onChange={(e) => set({ connectionString: e.currentTarget.value })}
              data-testid={testIds.crawler.addConnection}
            />
          </Field>
        )}
        {error !== undefined && (
          <ErrorAlert
            error={error}
            apiUrlSet={apiUrlSet}
            describe={describeAdminError}
            testId={testIds.crawler.addError}
          />
        )}
        <Stack direction="row" gap={1}>
          <Button
            type="submit"
            icon={saving ? 'spinner' : 'plus'}
            disabled={saving}
            data-testid={testIds.crawler.addSubmit}
          >
            {a.submit}
          </Button>
          {onCancel && (
            <Button type="button" variant="secondary" onClick={onCancel}>
              {a.cancel}
            </Button>
          )}
        </Stack>
      </Stack>
    </form>
  );
}
