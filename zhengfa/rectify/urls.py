from django.urls import path

from . import views

app_name = "rectify"

urlpatterns = [
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/print/", views.ledger_print, name="ledger_print"),
    path("ledger/export/", views.ledger_export, name="ledger_export"),
    path("ledger/new/", views.item_create, name="item_create"),
    path("ledger/<int:pk>/", views.item_detail, name="item_detail"),
    path("ledger/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("ledger/<int:pk>/deadline/", views.item_deadline, name="item_deadline"),
    path("ledger/<int:pk>/progress/", views.item_note, name="item_note"),
    path("ledger/<int:pk>/<slug:name>/", views.item_transition, name="item_transition"),
    path("self-inspection/", views.round_list, name="round_list"),
    path("self-inspection/new/", views.round_create, name="round_create"),
    path("self-inspection/<int:pk>/", views.round_detail, name="round_detail"),
    path("self-inspection/<int:pk>/my-form/", views.declaration_mine, name="declaration_mine"),
    path("self-inspection/<int:pk>/amend/", views.declaration_amend, name="declaration_amend"),
    path("declarations/<int:pk>/", views.declaration_detail, name="declaration_detail"),
    path("inquiries/", views.inquiry_list, name="inquiry_list"),
    path("inquiries/new/", views.inquiry_create, name="inquiry_create"),
    path("inquiries/<int:pk>/", views.inquiry_detail, name="inquiry_detail"),
    path("categories/", views.category_list, name="category_list"),
    path("categories/new/", views.category_edit, name="category_create"),
    path("categories/<int:pk>/", views.category_edit, name="category_edit"),
]
