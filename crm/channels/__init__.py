"""Messages in 企业微信 / 政务微信 and 钉钉: personal work notices and group robots."""
