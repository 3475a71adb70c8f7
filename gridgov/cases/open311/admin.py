from django.contrib import admin

from .models import Client, Request


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "town", "key_prefix", "active", "last_used_at")
    readonly_fields = ("key_prefix", "last_used_at")
    raw_id_fields = ("town",)


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    list_display = ("case", "client", "device_id", "account_id", "created_at")
    raw_id_fields = ("case",)
