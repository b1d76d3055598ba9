/**
 * Vocabulary of the demo CAAS platform: people's names per language, chat message templates in English,
 * German, Spanish and Japanese, and the sentences inside the generated documents. Some English templates
 * carry words people often misspell ("receive", "message", "separate", "definitely", "accommodate",
 * "internationalisation", "necessary", "calendar", "occurred") so typo-tolerant search has something to find;
 * an edit sometimes corrects a misspelling the first version had ("recieve" → "receive").
 */
import type { Rng } from '../rng.js';

export type Lang = 'en' | 'de' | 'es' | 'ja';
export const LANG_WEIGHTS: ReadonlyArray<readonly [Lang, number]> = [
  ['en', 55],
  ['de', 18],
  ['es', 17],
  ['ja', 10],
];

export const NAMES: Record<Lang, { first: readonly string[]; last: readonly string[] }> = {
  en: {
    first: ['Olivia', 'James', 'Amelia', 'Noah', 'Grace', 'Oliver', 'Emily', 'Jack', 'Hannah', 'Liam', 'Chloe', 'Ethan', 'Priya', 'Daniel'],
    last: ['Smith', 'Johnson', 'Brown', 'Taylor', 'Wilson', 'Davies', 'Evans', 'Walker', 'Patel', 'Clarke', "O'Neill", 'Hughes'],
  },
  de: {
    first: ['Anna', 'Lukas', 'Lena', 'Jonas', 'Marie', 'Felix', 'Sophie', 'Maximilian', 'Jürgen', 'Lea'],
    last: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schäfer', 'Groß'],
  },
  es: {
    first: ['Lucía', 'Mateo', 'Sofía', 'Hugo', 'Martina', 'Pablo', 'Valeria', 'Álvaro', 'Carmen', 'Diego'],
    last: ['García', 'Fernández', 'González', 'Rodríguez', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Núñez'],
  },
  ja: {
    first: ['Haruto', 'Yui', 'Sota', 'Aoi', 'Ren', 'Hina', 'Kenji', 'Sakura'],
    last: ['Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Watanabe', 'Ito', 'Yamamoto', 'Nakamura'],
  },
};
/** Japanese users show their name in kanji; the handle stays romanised. */
export const JA_KANJI: Record<string, string> = {
  Sato: '佐藤',
  Suzuki: '鈴木',
  Takahashi: '高橋',
  Tanaka: '田中',
  Watanabe: '渡辺',
  Ito: '伊藤',
  Yamamoto: '山本',
  Nakamura: '中村',
  Haruto: '陽翔',
  Yui: '結衣',
  Sota: '蒼太',
  Aoi: '葵',
  Ren: '蓮',
  Hina: '陽菜',
  Kenji: '健二',
  Sakura: 'さくら',
};

const V = {
  en: {
    thing: ['the release notes', 'the invoice', 'the onboarding deck', 'the contract', 'the Q3 report', 'the design review', 'the API docs', 'the roadmap'],
    day: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'tomorrow', 'next week'],
    time: ['9:30', '10am', 'noon', '2pm', '4:15', 'after lunch'],
    place: ['the Berlin office', 'room 4B', 'the usual café', 'the big meeting room', 'the kitchen'],
    topic: ['the translations', 'the search index', 'the billing migration', 'push notifications', 'the Android build', 'dark mode'],
  },
  de: {
    thing: ['die Präsentation', 'den Vertrag', 'die Rechnung', 'das Protokoll', 'den Entwurf', 'die Auswertung'],
    day: ['Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag', 'morgen', 'nächste Woche'],
    time: ['9 Uhr', '10:30', 'Mittag', '14 Uhr', '16 Uhr'],
    place: ['im Büro', 'im Besprechungsraum', 'per Videocall', 'in der Kantine'],
    topic: ['Internationalisierung', 'Suchindex', 'Abrechnung', 'Übersetzungen', 'Datenschutzerklärung'],
  },
  es: {
    thing: ['la presentación', 'el contrato', 'la factura', 'el informe', 'el borrador', 'las diapositivas'],
    day: ['el lunes', 'el martes', 'el miércoles', 'el jueves', 'el viernes', 'mañana', 'la semana que viene'],
    time: ['las 9', 'las 10:30', 'mediodía', 'las 4'],
    place: ['en la oficina', 'en la sala grande', 'por videollamada', 'en la cafetería'],
    topic: ['la internacionalización', 'el buscador', 'la facturación', 'las traducciones', 'la migración'],
  },
  ja: {
    thing: ['資料', '契約書', '請求書', '議事録', 'プレゼン資料', '見積書'],
    day: ['月曜日', '火曜日', '水曜日', '木曜日', '金曜日', '明日', '来週'],
    time: ['10時', '13時', '15時半', '夕方'],
    place: ['会議室', 'オフィス', 'オンライン', '本社'],
    topic: ['国際化', '検索機能', '請求システム', '翻訳', 'リリース準備'],
  },
} as const;

/** {thing} {day} {time} {place} {topic} {name} are filled in; a template is [first version, edited version?]. */
const TEMPLATES: Record<Lang, ReadonlyArray<readonly [string, string?]>> = {
  en: [
    ['Did you receive my message about {thing}?'],
    ['Did you recieve {thing}? I sent it {day}.', 'Did you receive {thing}? I sent it {day}.'],
    ['Can we move the sync to {day} at {time}?'],
    ["I'll send {thing} in a separate message."],
    ['I definitely need {thing} before {day}.', 'I definitely need {thing} before {day}, sorry for the rush!'],
    ['Is {place} big enough to accommodate everyone?'],
    ['Quick update on {topic}: almost done 🎉'],
    ['The internationalisation work for {topic} is on track.'],
    ['Is it necessary to loop in legal on {thing}?'],
    ['Put it in the shared calendar please, {time} {day} works for me.'],
    ['Thanks {name}, looks great 👍'],
    ['An error occurred while exporting {thing}, looking into it.', 'An error occurred while exporting {thing}; fixed now.'],
    ['Lunch at {place}?', 'Lunch at {place}? Or a quick call on Zoom instead?'],
    ['Can you review {thing} when you have a minute?'],
    ['Running 5 minutes late, start without me'],
    ['Heads up: the message queue was slow this morning.'],
  ],
  de: [
    ['Hast du {thing} schon bekommen?'],
    ['Können wir das Meeting auf {day} um {time} verschieben?', 'Können wir das Meeting auf {day} um {time} verschieben? Passt das allen?'],
    ['Ich schicke dir {thing} gleich per Nachricht.'],
    ['Wie ist der Stand beim Thema {topic}?'],
    ['Danke {name}, sieht gut aus!'],
    ['Treffen wir uns {place}?'],
    ['Kurze Info zum Thema {topic}: fast fertig.'],
    ['Bitte denk an {thing} bis {day}.'],
  ],
  es: [
    ['¿Has recibido {thing}?'],
    ['¿Podemos mover la reunión a {day} a {time}?', '¿Podemos mover la reunión a {day} a {time}? Avisadme.'],
    ['Te mando {thing} en un mensaje aparte.'],
    ['¿Cómo vamos con {topic}?'],
    ['¡Gracias {name}, está genial!'],
    ['¿Nos vemos {place}?'],
    ['Novedades sobre {topic}: casi terminado.'],
    ['Necesito {thing} antes de {day}, por favor.'],
  ],
  ja: [
    ['{thing}を受け取りましたか？'],
    ['{day}の{time}に打ち合わせを移動できますか？', '{day}の{time}に打ち合わせを移動できますか？皆さん大丈夫ですか？'],
    ['{thing}を後で送ります。'],
    ['{topic}の進捗はどうですか？'],
    ['{name}さん、ありがとうございます！'],
    ['{place}で会いましょう。'],
    ['{topic}はほぼ完了しました。'],
  ],
};

export function chatMessage(rng: Rng, lang: Lang, name: string): { text: string; edited: string } {
  const [first, second] = rng.pick(TEMPLATES[lang]);
  const v = V[lang];
  const fill: Record<string, string> = {
    thing: rng.pick(v.thing),
    day: rng.pick(v.day),
    time: rng.pick(v.time),
    place: rng.pick(v.place),
    topic: rng.pick(v.topic),
    name,
  };
  const apply = (t: string) => t.replace(/\{(\w+)\}/g, (_, k: string) => fill[k] ?? k);
  const text = apply(first);
  const suffix = { en: ' (edited)', de: ' (bearbeitet)', es: ' (editado)', ja: '（編集済み）' }[lang];
  return { text, edited: second ? apply(second) : `${text}${suffix}` };
}

const GROUP_TITLES: Record<Lang, readonly string[]> = {
  en: ['Launch planning', 'Design team', 'Support escalations', 'Friday social', 'Platform on-call', 'Marketing sync'],
  de: ['Team Berlin', 'Projekt Nordlicht', 'Vertrieb DACH'],
  es: ['Equipo de ventas', 'Proyecto Atlas', 'Soporte LATAM'],
  ja: ['開発チーム', '東京オフィス', 'リリース準備'],
};
export const groupTitle = (rng: Rng, lang: Lang): string => rng.pick(GROUP_TITLES[lang]);

/** The text inside the generated documents: a title and a sentence or two each (found again by extraction). */
export const DOCUMENTS: ReadonlyArray<{ base: string; lang: Lang; title: string; body: string }> = [
  {
    base: 'q3-report',
    lang: 'en',
    title: 'Quarterly report Q3',
    body: 'Revenue grew eleven percent this quarter. The internationalisation of the checkout flow is complete and customers receive receipts in their own language.',
  },
  {
    base: 'meeting-notes',
    lang: 'en',
    title: 'Meeting notes',
    body: 'We agreed to accommodate the new support team in the separate building. Every message about the migration goes to the platform channel.',
  },
  {
    base: 'protokoll',
    lang: 'de',
    title: 'Protokoll der Teamsitzung',
    body: 'Die Übersetzungen für die Internationalisierung werden bis Freitag geprüft. Größere Änderungen brauchen eine Freigabe.',
  },
  {
    base: 'propuesta',
    lang: 'es',
    title: 'Propuesta comercial',
    body: 'La propuesta incluye soporte en español y la migración de los datos históricos antes de diciembre.',
  },
  {
    base: 'release-checklist',
    lang: 'en',
    title: 'Release checklist',
    body: 'Check the calendar before every release. It is necessary to confirm the rollback plan with the on-call engineer.',
  },
];
