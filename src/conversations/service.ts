/**
 * The conversations module's front door: callers import from here, whichever file below holds the
 * use-case. The files are split by concern (docs/architecture.md):
 *   views        the conversation and message as the API shows them
 *   access       loading with authorization, what a user may see
 *   thread-slot  the one active thread per patient and clinic: create, reopen or refuse
 *   outbound     the one write path of every outgoing message
 *   inbound      a patient's message joining or starting a thread; after-hours the auto-reply
 *   send         staff starting a conversation and replying, campaign messages
 *   thread       reading one thread
 *   state        read/close/archive/assign/move/pin/mute, spam, auto-archive
 *   messages     call logs, stars, retraction
 *   list         the inbox list, search, unread count, a contact's history
 */
export { eventScope } from './views.js';
export { createConversation } from './thread-slot.js';
export { loadConversation, visibleConversations, visibleMessages } from './access.js';
export { appendOutbound, type OutboundInput, type OutboundSender } from './outbound.js';
export { recordInbound, recordInboundMany, type InboundClinic, type InboundInput, type PlainInbound } from './inbound.js';
export { replyAfterHours } from './after-hours.js';
export { appendAutomatic, sendMessage, startConversation } from './send.js';
export type { ListFilters, SendInput, StartInput } from './inputs.js';
export { announceTyping, emergencyThread, getConversation } from './thread.js';
export {
  archiveInactive,
  assignConversation,
  bringHeldIntoView,
  bulkChangeState,
  changeState,
  changeView,
  markSpam,
  moveConversation,
  stateActions,
  viewActions,
  type StateAction,
  type ViewAction,
} from './state.js';
export { hideRefusedKeywordReply, logCall, recordReaction, retractMessage, starMessage } from './messages.js';
export { contactHistory, listConversations, unreadBuckets, unreadCount } from './list.js';
