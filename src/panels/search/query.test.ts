import { INITIAL_STATE, pageCount, requestsFor, stateFromParams, stateToParams, type SearchState } from './query';

const scope = { tenant: 'acme', from: 1_000, to: 2_000, limit: 20 };

describe('search query state', () => {
  test('a URL round-trips the state, defaults left out', () => {
    const state: SearchState = {
      q: 'budget "q3 plan"',
      tab: 'files',
      type: 'application/pdf',
      conversation: 'cnv_1',
      sender: 'usr_2',
      sort: 'time',
      page: 3,
    };
    const params = new URLSearchParams(
      Object.entries(stateToParams(state)).filter((e): e is [string, string] => e[1] !== undefined)
    );
    expect(stateFromParams(params)).toEqual(state);
    expect(Object.values(stateToParams(INITIAL_STATE)).filter(Boolean)).toEqual([]);
  });

  test('unknown or hostile params fall back to the defaults', () => {
    const s = stateFromParams(new URLSearchParams('entity=secrets&sort=drop&page=-4&q=x'));
    expect(s).toEqual({ ...INITIAL_STATE, q: 'x' });
    expect(stateFromParams(new URLSearchParams('page=1e9')).page).toBe(1);
    expect(stateFromParams(new URLSearchParams('page=2.5')).page).toBe(1);
  });

  test('every entity shown: one request serves the hits and the tab counts', () => {
    const { hits, counts } = requestsFor({ ...INITIAL_STATE, q: ' budget ', page: 2 }, scope);
    expect(hits).toBe(counts);
    expect(hits).toEqual({
      tenant_id: 'acme',
      q: 'budget',
      from: 1_000,
      to: 2_000,
      sort: 'relevance',
      limit: 20,
      page: 2,
    });
  });

  test('one tab: its hits request names the entity; the counts request stays the every-entity first page', () => {
    const state: SearchState = { ...INITIAL_STATE, q: 'budget', tab: 'messages', sender: 'usr_1', page: 4 };
    const { hits, counts } = requestsFor(state, scope);
    expect(hits).toMatchObject({ entities: ['messages'], sender_id: ['usr_1'], page: 4 });
    expect(counts).toMatchObject({ sender_id: ['usr_1'], page: 1 });
    expect(counts.entities).toBeUndefined();
    // switching tabs does not change the counts request
    expect(requestsFor({ ...state, tab: 'files', page: 1 }, scope).counts).toEqual(counts);
  });

  test('pages: at least one, at most the 1000 the API serves', () => {
    expect(pageCount(0, 20)).toBe(1);
    expect(pageCount(41, 20)).toBe(3);
    expect(pageCount(1_000_000, 20)).toBe(1000);
  });
});
