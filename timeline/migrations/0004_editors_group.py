"""The "Editors" group: exactly the permissions curation needs, and nothing over users or groups."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATED_MODELS = ["source", "statement", "citation", "speaker", "event", "topic"]
HISTORY_MODELS = ["historicalsource", "historicalstatement", "historicalcitation"]


def permission_codenames() -> list[str]:
    curate = [f"{action}_{model}" for model in CURATED_MODELS for action in ("add", "change", "delete", "view")]
    return curate + [f"view_{model}" for model in HISTORY_MODELS]


def create_editors_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure ours exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.set(
        Permission.objects.filter(content_type__app_label="timeline", codename__in=permission_codenames())
    )


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("timeline", "0003_history_and_anchoring"),
    ]

    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
