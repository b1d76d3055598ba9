import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type StreamTransport from 'nodemailer/lib/stream-transport/index.js';
import { SendFailure } from './http.js';
import type { StoredEmail } from './message.js';

/**
 * Email through nodemailer (DESIGN.md "Two modes", mail): SMTP when SMTP_URL is set, else
 * nodemailer's stream transport writing `<DATA_DIR>/outbox/<delivery id>.eml`, so both modes build
 * the same MIME message. Either way the Message-ID comes from the idempotency key.
 */
export interface Mailer {
  readonly mode: 'smtp' | 'outbox';
  /** hands the message over; throws SendFailure (retryable or not) when it was not taken */
  send(mail: { id: string; from: string; messageId: string; message: StoredEmail }): Promise<{ code: number | null; response: string }>;
  close(): void;
}

const mailOptions = (mail: Parameters<Mailer['send']>[0]) => ({
  from: mail.from,
  to: mail.message.to,
  cc: mail.message.cc.length ? mail.message.cc : undefined,
  subject: mail.message.subject,
  text: mail.message.text,
  html: mail.message.html ?? undefined,
  messageId: mail.messageId,
  headers: { 'X-Caas-Delivery': mail.id },
  attachments: mail.message.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.content, 'base64') })),
});

/** SMTP replies 5xx and bad credentials are for good; connection trouble and 4xx are worth another try. */
export function judgeSmtpError(e: unknown): SendFailure {
  const err = e as { code?: unknown; responseCode?: unknown; response?: unknown; message?: unknown };
  const code = typeof err.code === 'string' ? err.code : undefined;
  const reply = typeof err.responseCode === 'number' ? err.responseCode : null;
  const said = typeof err.response === 'string' ? err.response : typeof err.message === 'string' ? err.message : String(e);
  if (code === 'EAUTH') {
    return new SendFailure(`the SMTP server refused the login (${said}): check the user and password in SMTP_URL`, false, { status: reply });
  }
  if (reply !== null && reply >= 500) {
    return new SendFailure(`the SMTP server refused the message with ${said}`, false, { status: reply });
  }
  if (reply !== null && reply >= 400) {
    return new SendFailure(`the SMTP server deferred the message with ${said}`, true, { status: reply });
  }
  return new SendFailure(`SMTP ${code ? `${code}: ` : ''}${said}`, true, { status: reply });
}

class SmtpMailer implements Mailer {
  readonly mode = 'smtp' as const;
  private readonly transport: Transporter<SMTPTransport.SentMessageInfo>;
  constructor(url: string, timeoutMs: number) {
    // the URL's own settings (host, port, user, password, ?secure, ?ignoreTLS…) win over these defaults
    this.transport = nodemailer.createTransport(
      new SMTPTransport({ url, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs, dnsTimeout: timeoutMs })
    );
  }
  async send(mail: Parameters<Mailer['send']>[0]): Promise<{ code: number | null; response: string }> {
    let info: SMTPTransport.SentMessageInfo;
    try {
      info = await this.transport.sendMail(mailOptions(mail));
    } catch (e) {
      throw judgeSmtpError(e);
    }
    if (info.rejected.length > 0 && info.accepted.length === 0) {
      throw new SendFailure(`the SMTP server refused every recipient (${info.rejected.join(', ')}): ${info.response}`, false);
    }
    const code = /^(\d{3})/.exec(info.response)?.[1];
    return { code: code ? Number(code) : null, response: info.response };
  }
  close(): void {
    this.transport.close();
  }
}

class OutboxMailer implements Mailer {
  readonly mode = 'outbox' as const;
  private readonly transport: Transporter<StreamTransport.SentMessageInfo>;
  constructor(private readonly dir: string) {
    this.transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  }
  async send(mail: Parameters<Mailer['send']>[0]): Promise<{ code: number | null; response: string }> {
    const info = await this.transport.sendMail(mailOptions(mail));
    const eml = info.message as unknown as Buffer;
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${mail.id}.eml`);
    // whole or not at all: a reader of the outbox never sees half a message
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      await writeFile(tmp, eml);
      await rename(tmp, file);
    } catch (e) {
      throw new SendFailure(`writing ${file} failed: ${(e as Error).message}`, true);
    }
    return { code: null, response: `written to ${file}` };
  }
  close(): void {
    this.transport.close();
  }
}

export function createMailer(opts: { smtpUrl: string | undefined; outboxDir: string; timeoutMs: number }): Mailer {
  return opts.smtpUrl ? new SmtpMailer(opts.smtpUrl, opts.timeoutMs) : new OutboxMailer(opts.outboxDir);
}
