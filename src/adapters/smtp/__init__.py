"""E-mail over SMTP (aiosmtplib)."""
