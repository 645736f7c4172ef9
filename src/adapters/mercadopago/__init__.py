"""Mercado Pago: Checkout Pro preferences, payments, webhook signatures."""
