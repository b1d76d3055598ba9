import React, { type ComponentProps, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2, IconName } from '@grafana/data';
import { Alert, Button, ConfirmButton, useStyles2 } from '@grafana/ui';
import { deleteObject, type Deletable } from '../../api/oncall';
import { testIds } from '../../components/testIds';
import { labels } from '../../labels';
import { messageOfError } from './oncall-view';

const getStyles = (theme: GrafanaTheme2) => ({
  select: css({
    height: theme.spacing(4),
    minWidth: theme.spacing(20),
    padding: theme.spacing(0, 1),
    background: theme.components.input.background,
    color: theme.components.input.text,
    border: `1px solid ${theme.components.input.borderColor}`,
    borderRadius: theme.shape.radius.default,
    fontSize: theme.typography.body.fontSize,
  }),
});

interface SelectProps {
  value: string;
  options: ReadonlyArray<{ value: string; label: string }>;
  onChange: (value: string) => void;
  disabled?: boolean;
  'aria-label'?: string;
  'data-testid'?: string;
  id?: string;
}

/** A native select styled as Grafana's inputs: a person (and a browser test) picks from it as from any select. */
export function NativeSelect({ value, options, onChange, ...rest }: SelectProps) {
  const styles = useStyles2(getStyles);
  return (
    <select className={styles.select} value={value} onChange={(e) => onChange(e.currentTarget.value)} {...rest}>
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

interface AdminButtonProps {
  admin: boolean;
  children: React.ReactNode;
  onClick: () => void;
  variant?: ComponentProps<typeof Button>['variant'];
  fill?: ComponentProps<typeof Button>['fill'];
  size?: ComponentProps<typeof Button>['size'];
  icon?: IconName;
  disabled?: boolean;
  'data-testid'?: string;
}

/** A write action: disabled for non-Admins, saying why (Grafana sends the admin key for Admins only). */
export function AdminButton({ admin, disabled, size = 'sm', ...props }: AdminButtonProps) {
  return (
    <Button
      size={size}
      {...props}
      disabled={!admin || disabled}
      tooltip={admin ? undefined : labels.oncall.adminOnly}
    />
  );
}

/** A failed write, with the backend's reason. */
export function ActionError({ error, testId = testIds.oncall.actionError }: { error: unknown; testId?: string }) {
  if (error === undefined) {
    return null;
  }
  return (
    <div data-testid={testId}>
      <Alert severity="error" title={messageOfError(error)} />
    </div>
  );
}

/**
 * Delete, confirmed inline (Grafana's ConfirmButton): for Admins; anyone else sees it disabled with the reason. The
 * backend's refusal (e.g. a responder a schedule still names) is shown beside it.
 */
export function DeleteControl({
  admin,
  what,
  id,
  name,
  onDeleted,
}: {
  admin: boolean;
  what: Deletable;
  id: string;
  name: string;
  onDeleted: (name: string) => void;
}) {
  const [error, setError] = useState<unknown>();
  return (
    <span data-testid={testIds.oncall.delete(what, id)}>
      {admin ? (
        <ConfirmButton
          size="sm"
          confirmText={labels.oncall.confirmDelete}
          confirmVariant="destructive"
          onConfirm={() => {
            setError(undefined);
            deleteObject(what, id).then(
              () => onDeleted(name),
              (e: unknown) => setError(e)
            );
          }}
        >
          {labels.oncall.delete}
        </ConfirmButton>
      ) : (
        <AdminButton
          admin={false}
          size="sm"
          variant="destructive"
          fill="text"
          icon="trash-alt"
          onClick={() => undefined}
        >
          {labels.oncall.delete}
        </AdminButton>
      )}
      <ActionError error={error} />
    </span>
  );
}
