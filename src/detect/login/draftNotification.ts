import type { NotificationDraft } from '../../engine/types.js';

export type NotificationTemplate = 'LOGIN_NEW_DEVICE' | 'LOGIN_NEW_NETWORK' | 'ACCOUNT_CHANGED' | 'HOLD_PLACED' | 'PASSWORD_LOGIN_LOCKED' | 'PASSWORD_RESET_REQUIRED';

const FIELD_JA: Record<string, string> = {
  email: 'メールアドレス',
  phone: '電話番号',
  password: 'パスワード',
  mfa: '多要素認証の設定',
  address: '住所',
  bank_account: '出金先口座',
  notification: '通知設定',
};

/**
 * A customer notification (JSDA: notify logins and important operations). Japanese first, then one
 * English line. No links: the guideline forbids login links in e-mail and SMS, which phishers copy.
 */
export function draftNotification(
  template: NotificationTemplate,
  account_id: string,
  event_ids: string[],
  facts: { when: string; where?: string; client?: string; field?: string; what?: string },
): NotificationDraft {
  const when = `${facts.when.slice(0, 16).replace('T', ' ')}`;
  const where = facts.where ?? '';
  const client = facts.client ?? '';
  let message: string;
  switch (template) {
    case 'LOGIN_NEW_DEVICE':
      message = `${when} に新しい端末（${client}）からログインがありました。お心当たりがない場合は、直ちにお取引を停止し、当社窓口へご連絡ください。\nNew-device login at ${when} (${client}). If this was not you, contact us at once.`;
      break;
    case 'LOGIN_NEW_NETWORK':
      message = `${when} に普段と異なるネットワーク（${where}）からログインがありました。お心当たりがない場合は、当社窓口へご連絡ください。\nLogin from an unusual network at ${when} (${where}). If this was not you, contact us.`;
      break;
    case 'ACCOUNT_CHANGED': {
      const ja = FIELD_JA[facts.field ?? ''] ?? facts.field ?? '登録情報';
      message = `${when} に${ja}が変更されました。お心当たりがない場合は、直ちに当社窓口へご連絡ください。\nYour ${facts.field ?? 'account details'} changed at ${when}. If this was not you, contact us at once.`;
      break;
    }
    case 'HOLD_PLACED':
      message = `${when} のお手続き（${facts.what ?? ''}）は、安全確認のため保留しています。当社から確認のご連絡をいたします。\nFor your safety we put the operation of ${when} (${facts.what ?? ''}) on hold; we will contact you to confirm.`;
      break;
    case 'PASSWORD_LOGIN_LOCKED':
      message = `パスワードによるログインの失敗が続いたため、${when} からパスワードでのログインを一時停止しました。登録済みのパスキーでは引き続きログインできます。\nAfter repeated failed password logins, password login is paused from ${when}; your registered passkey still works.`;
      break;
    case 'PASSWORD_RESET_REQUIRED':
      message = `${when} のログインで、不正ログインの試行元からお客様のパスワードが正しく入力されました。パスワードが第三者に知られています。直ちにパスワードを変更し、他のサービスで同じパスワードをお使いの場合はそちらも変更してください。\nAt ${when} your password was entered correctly from a source of credential-stuffing attacks: it is known to others. Change it now, and anywhere else you use it.`;
      break;
  }
  return { account_id, template, message, event_ids, data: { ...facts } };
}
