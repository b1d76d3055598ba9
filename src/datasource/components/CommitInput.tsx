import React, { useState } from 'react';
import { Input } from '@grafana/ui';

interface Props {
  value: string;
  /** Called on blur and Enter, only when the text changed. */
  onCommit: (value: string) => void;
  testId: string;
  placeholder?: string;
  width?: number;
  type?: 'text' | 'number';
  min?: number;
  max?: number;
  'aria-label'?: string;
  invalid?: boolean;
}

/**
 * A text input that edits locally and commits on blur or Enter: typing "a, b" into a list filter must not be
 * re-parsed (and lose its comma) on every key, and the query runs once per edit, not once per key.
 */
export function CommitInput({
  value,
  onCommit,
  testId,
  placeholder,
  width,
  type = 'text',
  min,
  max,
  invalid,
  ...rest
}: Props) {
  const [text, setText] = useState(value);
  // A new value from outside (undo, another editor, a migration) replaces the local text (React: "storing
  // information from previous renders").
  const [previous, setPrevious] = useState(value);
  if (value !== previous) {
    setPrevious(value);
    setText(value);
  }
  const commit = () => {
    if (text !== value) {
      onCommit(text);
    }
  };
  return (
    <Input
      data-testid={testId}
      aria-label={rest['aria-label']}
      value={text}
      type={type}
      min={min}
      max={max}
      width={width}
      invalid={invalid}
      placeholder={placeholder}
      onChange={(e) => setText(e.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          commit();
        }
      }}
    />
  );
}

/** An integer from typed text, clamped to [min, max]; the fallback when the text is not a number. */
export function clampInt(text: string, min: number, max: number, fallback: number): number {
  const n = Math.round(Number(text));
  if (text.trim() === '' || !Number.isFinite(n)) {
    return fallback;
  }
  return Math.min(max, Math.max(min, n));
}
