/**
 * The four entities of the CAAS source contract (README "CAAS HTTP source contract") as the
 * crawler reads them and the search engine indexes them. Times are epoch milliseconds.
 */
export const ENTITIES = ['messages', 'files', 'users', 'conversations'] as const;
export type Entity = (typeof ENTITIES)[number];

export interface MessageItem {
  id: string;
  tenant_id: string;
  conversation_id: string;
  sender_id: string;
  type: string;
  text: string;
  created_at: number;
  updated_at: number;
}
export interface FileItem {
  id: string;
  tenant_id: string;
  conversation_id: string;
  uploader_id: string;
  name: string;
  mime: string;
  size: number;
  download_url: string;
  created_at: number;
  updated_at: number;
}
export interface UserItem {
  id: string;
  tenant_id: string;
  name: string;
  handle: string;
  created_at: number;
  updated_at: number;
}
export interface ConversationItem {
  id: string;
  tenant_id: string;
  title: string;
  kind: 'direct' | 'group';
  member_ids: string[];
  created_at: number;
  updated_at: number;
}
export interface EntityItem {
  messages: MessageItem;
  files: FileItem;
  users: UserItem;
  conversations: ConversationItem;
}
export type AnyItem = EntityItem[Entity];
