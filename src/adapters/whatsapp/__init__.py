"""WhatsApp Cloud API: sending messages, webhook signatures."""
