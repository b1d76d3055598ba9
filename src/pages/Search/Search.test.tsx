import '../../datasource/test/jsdom';
import React from 'react';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { type BackendSrvRequest, getBackendSrv } from '@grafana/runtime';
import Search from './Search';
import type { SearchAnswer } from '../../api/search';
import { testIds } from '../../components/testIds';
import { labels } from '../../labels';
import { httpError, ok, tenantsResponse } from '../../test/fixtures';
import { renderAt } from '../../test/router';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: jest.fn(),
}));

const WAIT = { timeout: 10_000 };
const PROXY = '/api/plugin-proxy/caas-observatory-app/api';
const fetchMock = jest.fn();
/** Every search the page asked, its body. */
const asked: Array<Record<string, unknown>> = [];

const answer = (over: Partial<SearchAnswer> = {}): SearchAnswer => ({
  total: 3,
  hits: [
    {
      entity: 'messages',
      id: 'msg_1',
      score: 0.9,
      highlights: { text: 'The <mark>budget</mark> &lt;draft&gt; is ready' },
      doc: { id: 'msg_1', conversation_id: 'cnv_1', sender_id: 'usr_1', type: 'text', created_at: 1_764_000_000_000 },
      context: {
        conversation: { id: 'cnv_1', title: 'Finance team', kind: 'group' },
        sender: { id: 'usr_1', name: 'Alice Smith', handle: 'alice' },
      },
    },
    {
      entity: 'files',
      id: 'fil_1',
      score: 0.5,
      highlights: { name: '<mark>budget</mark>-2026.pdf', content: 'annual <mark>budget</mark> plan' },
      doc: {
        id: 'fil_1',
        conversation_id: 'cnv_1',
        uploader_id: 'usr_2',
        name: 'budget-2026.pdf',
        mime: 'application/pdf',
        size: 2048,
        download_url: 'https://files.example/fil_1',
        created_at: 1_764_000_000_000,
        extract_error: null,
      },
      context: { conversation: { id: 'cnv_1', title: 'Finance team', kind: 'group' } },
    },
    {
      entity: 'users',
      id: 'usr_9',
      score: 0.2,
      highlights: { name: 'Bud <mark>Budget</mark>' },
      doc: { id: 'usr_9', name: 'Bud Budget', handle: 'bud', created_at: 1_764_000_000_000 },
    },
  ],
  facets: { entity: { messages: 1, files: 1, users: 1, conversations: 0 }, type: { text: 1, 'application/pdf': 1 } },
  ...over,
});

let respond: (body: Record<string, unknown>) => ReturnType<typeof ok> = () => ok(answer());

beforeEach(() => {
  asked.length = 0;
  respond = () => ok(answer());
  fetchMock.mockImplementation((options: BackendSrvRequest) => {
    if (options.url === `${PROXY}/v1/tenants`) {
      return ok(tenantsResponse);
    }
    if (options.url === `${PROXY}/v1/search` && options.method === 'POST') {
      const body = options.data as Record<string, unknown>;
      asked.push(body);
      return respond(body);
    }
    return httpError(404, { message: 'Not found' });
  });
  jest.mocked(getBackendSrv).mockReturnValue({ fetch: fetchMock } as unknown as ReturnType<typeof getBackendSrv>);
});

describe('pages/Search', () => {
  test('without a tenant it asks for one and searches nothing', async () => {
    renderAt(<Search />, '/search');
    expect(await screen.findByTestId(testIds.search.noTenant, {}, WAIT)).toHaveTextContent(labels.search.noTenant.page);
    expect(asked).toHaveLength(0);
  });

  test('the URL runs its search: highlights as marks (markup in a document stays text), context, counts, type facet', async () => {
    renderAt(<Search />, '/search?tenant=acme&from=1000&to=2000&q=budget');
    const hits = await screen.findByTestId(testIds.search.hits, {}, WAIT);
    expect(asked[0]).toMatchObject({ tenant_id: 'acme', q: 'budget', from: 1000, to: 2000, page: 1, limit: 20 });
    const message = within(hits).getByTestId(testIds.search.hit('messages', 'msg_1'));
    expect(message).toHaveTextContent('The budget <draft> is ready');
    expect(message.querySelectorAll('mark')).toHaveLength(1);
    expect(message.querySelector('mark')).toHaveTextContent('budget');
    expect(message.innerHTML).not.toContain('<draft>');
    expect(message).toHaveTextContent('in Finance team by Alice Smith (@alice)');
    const file = within(hits).getByTestId(testIds.search.hit('files', 'fil_1'));
    expect(file).toHaveTextContent('budget-2026.pdf');
    expect(file).toHaveTextContent('application/pdf · 2.0 KiB');
    expect(file).toHaveTextContent('annual budget plan');
    expect(file).toHaveTextContent('uploaded by usr_2');
    expect(screen.getByTestId(testIds.search.tab('messages'))).toHaveTextContent('1');
    expect(screen.getByTestId(testIds.search.tab('all'))).toHaveTextContent('3');
    expect(screen.getByTestId(testIds.search.total)).toHaveTextContent(/^3 results \(\d+ ms\)$/);
  });

  test('a tab asks for its entity and keeps the every-entity counts; the URL holds the tab', async () => {
    const view = renderAt(<Search />, '/search?tenant=acme&q=budget');
    await screen.findByTestId(testIds.search.hits, {}, WAIT);
    respond = (body) =>
      ok(
        (body.entities as string[] | undefined)?.[0] === 'files'
          ? answer({ total: 1, hits: [answer().hits[1]!], facets: { entity: { files: 1 }, type: {} } })
          : answer()
      );
    fireEvent.click(screen.getByTestId(testIds.search.tab('files')));
    await waitFor(() => expect(view.search().get('entity')).toBe('files'), WAIT);
    await waitFor(() => expect(screen.queryByTestId(testIds.search.hit('messages', 'msg_1'))).toBeNull(), WAIT);
    expect(screen.getByTestId(testIds.search.hit('files', 'fil_1'))).toBeInTheDocument();
    expect(asked.at(-1)).toMatchObject({ entities: ['files'] });
    // the counts still come from the every-entity answer: messages 1, all 3
    expect(screen.getByTestId(testIds.search.tab('messages'))).toHaveTextContent('1');
    expect(screen.getByTestId(testIds.search.tab('all'))).toHaveTextContent('3');
    expect(asked.filter((b) => b.entities === undefined)).toHaveLength(1);
  });

  test('typing is debounced: one search for the settled text, in a replaced history entry', async () => {
    jest.useFakeTimers();
    try {
      const view = renderAt(<Search />, '/search?tenant=acme');
      await act(async () => {
        await jest.advanceTimersByTimeAsync(500);
      });
      const before = asked.length;
      const input = screen.getByTestId(testIds.search.input);
      for (const text of ['b', 'bu', 'bud', 'budg']) {
        fireEvent.change(input, { target: { value: text } });
        await act(async () => {
          await jest.advanceTimersByTimeAsync(50);
        });
      }
      expect(asked.length).toBe(before);
      await act(async () => {
        await jest.advanceTimersByTimeAsync(400);
      });
      expect(asked.slice(before).map((b) => b.q)).toEqual(['budg']);
      expect(view.search().get('q')).toBe('budg');
      expect(view.action()).toBe('REPLACE');
    } finally {
      jest.useRealTimers();
    }
  });

  test('Back restores the search box to the URL it returns to; typing keeps what is typed', async () => {
    const view = renderAt(<Search />, '/search?tenant=acme&q=budget');
    await screen.findByTestId(testIds.search.hits, {}, WAIT);
    fireEvent.click(screen.getByTestId(testIds.search.tab('files')));
    await waitFor(() => expect(view.search().get('entity')).toBe('files'), WAIT);
    const input = () => screen.getByTestId(testIds.search.input) as HTMLInputElement;
    fireEvent.change(input(), { target: { value: 'budget plan' } });
    await waitFor(() => expect(view.search().get('q')).toBe('budget plan'), WAIT);
    expect(input().value).toBe('budget plan');
    await view.back();
    await waitFor(() => expect(view.search().get('entity')).toBeNull(), WAIT);
    expect(view.search().get('q')).toBe('budget');
    await waitFor(() => expect(input().value).toBe('budget'), WAIT);
  });

  test('filters from a hit: only this conversation, shown as a removable chip by name', async () => {
    const view = renderAt(<Search />, '/search?tenant=acme&q=budget');
    const hits = await screen.findByTestId(testIds.search.hits, {}, WAIT);
    const message = within(hits).getByTestId(testIds.search.hit('messages', 'msg_1'));
    fireEvent.click(within(message).getByTestId(testIds.search.filterConversation));
    await waitFor(() => expect(view.search().get('conversation')).toBe('cnv_1'), WAIT);
    await waitFor(() => expect(asked.at(-1)).toMatchObject({ conversation_id: ['cnv_1'] }), WAIT);
    const chip = await screen.findByTestId(testIds.search.chip('conversation'), {}, WAIT);
    expect(chip).toHaveTextContent('In Finance team');
    fireEvent.click(chip);
    await waitFor(() => expect(view.search().get('conversation')).toBeNull(), WAIT);
  });

  test('no results say what to change; an empty index points at the Crawler', async () => {
    respond = () => ok(answer({ total: 0, hits: [], facets: { entity: {}, type: {} } }));
    renderAt(<Search />, '/search?tenant=acme&q=zzqx');
    const empty = await screen.findByTestId(testIds.search.empty, {}, WAIT);
    expect(empty).toHaveTextContent('No results for “zzqx”');
    expect(empty).toHaveTextContent(labels.search.noResults.hint);

    renderAt(<Search />, '/search?tenant=acme&from=now-7d&to=now');
    await waitFor(() => expect(screen.getAllByTestId(testIds.search.empty)).toHaveLength(2), WAIT);
    const index = screen.getAllByTestId(testIds.search.empty)[1]!;
    expect(index).toHaveTextContent(labels.search.emptyIndex.title);
    expect(within(index).getByRole('link')).toHaveAttribute(
      'href',
      '/a/caas-observatory-app/crawler?tenant=acme&from=now-7d&to=now'
    );
  });

  test('an error says what happened and Retry asks again', async () => {
    respond = () =>
      httpError(429, { error: { code: 'search_quota', message: 'tenant acme: more than 60 searches a minute' } });
    renderAt(<Search />, '/search?tenant=acme&q=budget');
    const error = await screen.findByTestId(testIds.search.error, {}, WAIT);
    expect(error).toHaveTextContent('more than 60 searches a minute');
    respond = () => ok(answer());
    fireEvent.click(within(error).getByRole('button', { name: labels.common.retry }));
    await screen.findByTestId(testIds.search.hits, {}, WAIT);
  });

  test('pages: the second page asks page 2 and the URL holds it', async () => {
    respond = (body) => ok(answer({ total: 45, hits: body.page === 2 ? [answer().hits[2]!] : answer().hits }));
    const view = renderAt(<Search />, '/search?tenant=acme&q=budget');
    const pages = await screen.findByTestId(testIds.search.pagination, {}, WAIT);
    fireEvent.click(within(pages).getByRole('button', { name: '2' }));
    await waitFor(() => expect(view.search().get('page')).toBe('2'), WAIT);
    await waitFor(() => expect(asked.at(-1)).toMatchObject({ page: 2 }), WAIT);
    expect(await screen.findByTestId(testIds.search.total, {}, WAIT)).toHaveTextContent('Page 2 of 3');
  });
});
