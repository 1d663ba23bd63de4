from django.contrib import admin

from carbonpeak.progress.models import IssuedTarget


@admin.register(IssuedTarget)
class IssuedTargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "value", "document", "issued_on", "created_by", "created_at"]
    list_filter = ["indicator__plan"]
    readonly_fields = ["created_by", "created_at"]
