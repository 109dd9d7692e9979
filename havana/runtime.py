"""What actions need besides the database, set once per process by create_app().

Like an extension's init_app: the modules import `runtime` and read its parts when they run,
so a test builds its own app (and its own agent) without touching the actions.
"""


class Runtime:
    config = None  # havana.config.Config
    chatbot = None  # chatbot.Chatbot: providers, knowledge base, the tool loop
    limits = None  # havana.ratelimits.RateLimits
    replies = None  # havana.actions.replies.Replies: the one owner of AI replies
    secret_key = None  # the app's SECRET_KEY: signs the links in mails
    mail = None  # havana.mail.sender.Sender: this process's outbox sender

    def init_app(self, config, chatbot):
        from havana.actions.replies import Replies
        from havana.ratelimits import RateLimits

        self.config, self.chatbot = config, chatbot
        self.limits = RateLimits(config)
        self.replies = Replies(config, chatbot)


runtime = Runtime()
