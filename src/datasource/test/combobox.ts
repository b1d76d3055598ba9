import { act, fireEvent, screen } from '@testing-library/react';

/** Opens the Combobox with this test id, types `search` and clicks the first option whose name matches. */
export async function pickOption(testId: string, search: string, name: RegExp | string = search): Promise<void> {
  const input = screen.getByTestId(testId);
  await act(async () => {
    fireEvent.click(input);
  });
  fireEvent.change(input, { target: { value: search } });
  const options = await screen.findAllByRole('option', { name });
  await act(async () => {
    fireEvent.click(options[0]!);
  });
}
