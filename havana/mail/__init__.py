"""E-mail: the outbox sender (sender.py), signed links (links.py), invites (invite.py), mail texts (compose.py).

Actions queue mails with havana.actions.mail inside their transaction; nothing here is sent by a
socket handler.
"""
