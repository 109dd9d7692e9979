"""State changes, one function per action, in modules named for the state they change.

Each action opens one db.transaction(), locks the chat row it changes (db.chats.lock_chat),
checks, writes, and queues its events through havana.broadcast, which sends them only after
the outermost COMMIT: a rolled-back action sends nothing. Nothing here builds SQL.
"""
