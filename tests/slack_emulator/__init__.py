"""A local Slack Web API + Socket Mode emulator for RedAlert's tests.

Seed a workspace (add_user, add_channel, ...), point slack_sdk at api_url, and drive people from the test:
- messages and events: post_user_message, edit_message, add_reaction, rename_channel, push_event;
- interactivity: send_slash_command, click_button (messages, ephemeral ones too), click_view_button, submit_view,
  close_view. Each returns the envelope_id; wait_for_ack / ack_payload / ack(...).late read the app's ack, and
  late_acks() lists acks after Slack's 3 s. views.open / views.update / views.push check trigger ids (3 s, single
  use: advance_clock(4) expires one) and modal limits; open_views, view, view_errors show the modals;
  responses_for(envelope_id) and ephemerals_for(user) show response_url posts and ephemeral messages;
- replicas: every envelope goes to one open connection at random (seed_deliveries), unacked events are redelivered
  to another connection; connection_ids(), deliveries() and disconnect(connection_id) observe and steer that;
- faults and limits: inject_fault, fault_rate, enable_rate_limits; hold_response (done, answered on release) and
  hold_request (carried out on release, never if its caller died meanwhile); inspection: calls, messages, pins, ...
"""

from .emulator import SlackEmulator
from .socket_mode import Ack
from .workspace import DEFAULT_BOT_SCOPES, Call, Channel

__all__ = ["DEFAULT_BOT_SCOPES", "Ack", "Call", "Channel", "SlackEmulator"]
