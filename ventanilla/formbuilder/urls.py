"""The service designer's screens, under /gestion/servicios/."""

from django.urls import URLPattern, URLResolver, path

from ventanilla.formbuilder.views import (
    editor,
    interchange,
    preview,
    publish,
    questions,
    services_list,
    workflow,
)

app_name = "formbuilder"

_PAGE = "<int:pk>/paginas/<slug:page_id>/"
_GROUP = _PAGE + "grupos/<slug:group_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", services_list.services_view, name="list"),
    path("nuevo/", services_list.service_new_view, name="new"),
    path("<int:pk>/", editor.editor_view, name="editor"),
    path("<int:pk>/ajustes/", services_list.service_settings_view, name="settings"),
    path("<int:pk>/paginas/nueva/", editor.page_add_view, name="page_add"),
    path(_PAGE, editor.page_edit_view, name="page"),
    path(_PAGE + "mover/", editor.page_move_view, name="page_move"),
    path(_PAGE + "eliminar/", editor.page_delete_view, name="page_delete"),
    path(_PAGE + "preguntas/nueva/", questions.question_new_view, name="question_new"),
    path(_PAGE + "preguntas/<slug:question_id>/", questions.question_edit_view, name="question"),
    path(
        _PAGE + "preguntas/<slug:question_id>/mover/",
        questions.question_move_view,
        name="question_move",
    ),
    path(
        _PAGE + "preguntas/<slug:question_id>/eliminar/",
        questions.question_delete_view,
        name="question_delete",
    ),
    path(_GROUP + "preguntas/nueva/", questions.question_new_view, name="child_new"),
    path(_GROUP + "preguntas/<slug:question_id>/", questions.question_edit_view, name="child"),
    path(
        _GROUP + "preguntas/<slug:question_id>/mover/",
        questions.question_move_view,
        name="child_move",
    ),
    path(
        _GROUP + "preguntas/<slug:question_id>/eliminar/",
        questions.question_delete_view,
        name="child_delete",
    ),
    path("<int:pk>/flujo/", workflow.workflow_view, name="workflow"),
    path("<int:pk>/vista-previa/", preview.preview_start_view, name="preview"),
    path("<int:pk>/vista-previa/revisar/", preview.preview_check_view, name="preview_check"),
    path("<int:pk>/vista-previa/reiniciar/", preview.preview_restart_view, name="preview_restart"),
    path("<int:pk>/vista-previa/p/<slug:page_id>/", preview.preview_page_view, name="preview_page"),
    path("<int:pk>/publicar/", publish.publish_view, name="publish"),
    path("<int:pk>/publicar/ahora/", publish.publish_do_view, name="publish_do"),
    path("<int:pk>/versiones/<int:number>.json", publish.version_json_view, name="version_json"),
    path("<int:pk>/importar-exportar/", interchange.interchange_view, name="interchange"),
    path(
        "<int:pk>/importar-exportar/confirmar/",
        interchange.import_confirm_view,
        name="import_confirm",
    ),
    path("<int:pk>/exportar.xlsx", interchange.export_xlsform_view, name="export_xlsform"),
    path("<int:pk>/exportar.json", interchange.export_json_view, name="export_json"),
]
