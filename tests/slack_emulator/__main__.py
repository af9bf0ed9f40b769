"""Run the emulator in the foreground: python -m slack_emulator --port 8765"""

from __future__ import annotations

import argparse
import threading

from .emulator import SlackEmulator


def main() -> None:
    parser = argparse.ArgumentParser(description="Local Slack Web API + Socket Mode emulator")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--bot-token", default="xoxb-test-token")
    parser.add_argument("--app-token", default="xapp-test-token")
    opts = parser.parse_args()
    emu = SlackEmulator(bot_token=opts.bot_token, app_token=opts.app_token, port=opts.port, host=opts.host)
    # A small demo workspace so a bot has someone to talk to.
    emu.add_user("U0ALICE", "alice", "Alice Example")
    emu.add_user("U0BOB", "bob", "Bob Example")
    emu.add_usergroup("S0ONCALL", "oncall", ["U0ALICE", "U0BOB"], name="On-call")
    emu.add_channel("general", members=["U0ALICE", "U0BOB", emu.bot_user_id], is_general=True, channel_id="C0GENERAL")
    emu.add_channel("incidents", members=["U0ALICE", emu.bot_user_id], channel_id="C0INCIDENTS")
    emu.start()
    print(f"Slack emulator API URL: {emu.api_url}", flush=True)
    print(f"bot token {emu.bot_token}, app token {emu.app_token}; Ctrl-C to stop", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        emu.stop()


if __name__ == "__main__":
    main()
