import React, { useState } from 'react';
import { config } from '@grafana/runtime';
import { Button, Card, Checkbox, Field, IconButton, Input, Stack, Text, TextArea } from '@grafana/ui';
import { createSilence, type AmMatcher, type AmSilence } from '../../api/alerts';
import { ErrorAlert } from '../../components/ErrorAlert';
import { testIds } from '../../components/testIds';
import { labels } from '../../labels';

/** An alert's labels as the matchers of a silence (equal, not a regex), alertname first. */
export function matchersFromLabels(alertLabels: Record<string, string>): AmMatcher[] {
  return Object.entries(alertLabels)
    .sort(([a], [b]) => (a === 'alertname' ? -1 : b === 'alertname' ? 1 : a.localeCompare(b)))
    .map(([name, value]) => ({ name, value, isEqual: true, isRegex: false }));
}

/** Who the silence is by: the signed-in Grafana user. */
export function grafanaUser(): string {
  const user = config.bootData?.user;
  return user?.login || user?.name || user?.email || 'grafana user';
}

interface Props {
  initial: AmMatcher[];
  apiUrlSet?: boolean;
  onCreated: (silence: AmSilence) => void;
  onCancel: () => void;
}

/** A new silence: matchers (prefilled from an alert, editable), duration, comment, created by the Grafana user. */
export function SilenceForm({ initial, apiUrlSet, onCreated, onCancel }: Props) {
  const l = labels.alerts.silenceForm;
  const [matchers, setMatchers] = useState<AmMatcher[]>(initial.length > 0 ? initial : [blank()]);
  const [duration, setDuration] = useState('2h');
  const [comment, setComment] = useState('');
  const [createdBy, setCreatedBy] = useState(grafanaUser);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [invalid, setInvalid] = useState<string>();

  const change = (i: number, patch: Partial<AmMatcher>) =>
    setMatchers((ms) => ms.map((m, j) => (j === i ? { ...m, ...patch } : m)));

  const submit = async () => {
    const named = matchers.filter((m) => m.name.trim() !== '');
    if (named.length === 0) {
      setInvalid(l.needsMatcher);
      return;
    }
    if (comment.trim() === '') {
      setInvalid(l.needsComment);
      return;
    }
    setInvalid(undefined);
    setError(undefined);
    setBusy(true);
    try {
      const silence = await createSilence({
        matchers: named.map((m) => ({ ...m, name: m.name.trim() })),
        duration: duration.trim(),
        comment: comment.trim(),
        createdBy: createdBy.trim() || grafanaUser(),
      });
      onCreated(silence);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div data-testid={testIds.alerts.silenceForm}>
      <Card>
        <Card.Heading>{l.title}</Card.Heading>
        <Card.Description>
          <Stack direction="column" gap={1}>
            <Text color="secondary">{l.matchersHint}</Text>
            {matchers.map((m, i) => (
              <div key={i} data-testid={testIds.alerts.matcher(i)}>
                <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
                  <Input
                    width={24}
                    value={m.name}
                    placeholder={l.name}
                    aria-label={`${l.name} ${i + 1}`}
                    onChange={(e) => change(i, { name: e.currentTarget.value })}
                    data-testid={testIds.alerts.matcherName(i)}
                  />
                  <Text>{m.isEqual === false ? (m.isRegex ? '!~' : '!=') : m.isRegex ? '=~' : '='}</Text>
                  <Input
                    width={36}
                    value={m.value}
                    placeholder={l.value}
                    aria-label={`${l.value} ${i + 1}`}
                    onChange={(e) => change(i, { value: e.currentTarget.value })}
                    data-testid={testIds.alerts.matcherValue(i)}
                  />
                  <span title={l.isEqualHint}>
                    <Checkbox
                      label={l.isEqual}
                      value={m.isEqual !== false}
                      onChange={(e) => change(i, { isEqual: e.currentTarget.checked })}
                      data-testid={testIds.alerts.matcherEqual(i)}
                    />
                  </span>
                  <Checkbox
                    label={l.isRegex}
                    value={m.isRegex}
                    onChange={(e) => change(i, { isRegex: e.currentTarget.checked })}
                    data-testid={testIds.alerts.matcherRegex(i)}
                  />
                  <IconButton
                    name="trash-alt"
                    tooltip={l.remove}
                    onClick={() => setMatchers((ms) => ms.filter((_, j) => j !== i))}
                    data-testid={testIds.alerts.matcherRemove(i)}
                  />
                </Stack>
              </div>
            ))}
            <div>
              <Button
                variant="secondary"
                size="sm"
                icon="plus"
                onClick={() => setMatchers((ms) => [...ms, blank()])}
                data-testid={testIds.alerts.addMatcher}
              >
                {l.addMatcher}
              </Button>
            </div>
            <Stack direction="row" gap={2} wrap="wrap">
              <Field label={l.duration} description={l.durationHint}>
                <Input
                  width={16}
                  value={duration}
                  onChange={(e) => setDuration(e.currentTarget.value)}
                  data-testid={testIds.alerts.silenceDuration}
                />
              </Field>
              <Field label={l.createdBy}>
                <Input
                  width={32}
                  value={createdBy}
                  onChange={(e) => setCreatedBy(e.currentTarget.value)}
                  data-testid={testIds.alerts.silenceCreatedBy}
                />
              </Field>
            </Stack>
            <Field label={l.comment} description={l.commentHint} invalid={invalid === l.needsComment}>
              <TextArea
                rows={2}
                value={comment}
                onChange={(e) => setComment(e.currentTarget.value)}
                data-testid={testIds.alerts.silenceComment}
              />
            </Field>
            {(invalid || error !== undefined) && (
              <div data-testid={testIds.alerts.silenceError}>
                {invalid ? <Text color="error">{invalid}</Text> : <ErrorAlert error={error} apiUrlSet={apiUrlSet} />}
              </div>
            )}
          </Stack>
        </Card.Description>
        <Card.Actions>
          <Button
            icon={busy ? 'spinner' : 'bell-slash'}
            disabled={busy}
            onClick={submit}
            data-testid={testIds.alerts.silenceSubmit}
          >
            {l.submit}
          </Button>
          <Button variant="secondary" onClick={onCancel} data-testid={testIds.alerts.silenceCancel}>
            {l.cancel}
          </Button>
        </Card.Actions>
      </Card>
    </div>
  );
}

function blank(): AmMatcher {
  return { name: '', value: '', isEqual: true, isRegex: false };
}
