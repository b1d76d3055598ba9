import React from 'react';
import { Text } from '@grafana/ui';

/**
 * An error in a table cell: wrapped onto at most `lines` lines within `maxWidth` (the rest as an ellipsis), the whole
 * text on hover, so a long source error never runs over the next columns.
 */
export function ErrorText({
  text,
  color = 'error',
  lines = 3,
  maxWidth = 360,
}: {
  text: string;
  color?: 'error' | 'warning';
  lines?: number;
  maxWidth?: number;
}) {
  return (
    <div
      title={text}
      style={{
        maxWidth,
        overflow: 'hidden',
        display: '-webkit-box',
        WebkitBoxOrient: 'vertical',
        WebkitLineClamp: lines,
        overflowWrap: 'anywhere',
      }}
    >
      <Text color={color} variant="bodySmall">
        {text}
      </Text>
    </div>
  );
}
