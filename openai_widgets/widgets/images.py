"""The images panel: generate from a prompt, or edit / vary an uploaded image; a gallery to view and save."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .._core.constants import DEFAULT_MODELS
from .._media.image_input import encode_png
from .._media.image_rules import IMAGE_MODELS, MAX_N, image_rules
from ._controls import wrapping_row
from ._output import notice
from ._panel import Panel
from ._pictures import picture
from ._upload_values import uploaded

if TYPE_CHECKING:
    from .._media.image_result import ImageResult

__all__ = ["ImagesPanel"]

THUMBNAIL = 160  # pixels
_DEFAULT = ("default", "")  # a picker entry that leaves the setting to the API


class ImagesPanel(Panel):
    """Generate images, or edit / vary an uploaded one; results appear as thumbnails.

    Pickers only offer what the chosen model takes (sizes, qualities, styles, how many),
    and the prompt shows its length against the model's limit. Click a thumbnail's
    button to see it full size; Save writes the images as PNG files. `result` is the
    last ImageResult.
    """

    title = "Images"
    model_kinds = ("image",)

    def __init__(self, *, client: Any = None) -> None:
        super().__init__(client=client)
        self._build_generate()
        self._build_edit()
        self._build_gallery()
        self.tabs = widgets.Tab(children=[self._generate_box, self._edit_box])
        self.tabs.titles = ("Generate", "Edit / Variation")
        self.children = [
            self.tabs,
            self.gallery,
            self.viewer_box,
            wrapping_row(self.folder, self.prefix, self.save_button),
            self.status,
        ]
        self.add_class("ow-panel-images")
        self._update_generate_options()
        self._update_edit_options()

    # -- building ------------------------------------------------------------------------

    def _build_generate(self) -> None:
        self.prompt = widgets.Textarea(
            placeholder="Describe the image...", layout=widgets.Layout(width="100%", height="80px")
        )
        self.counter = widgets.HTML()
        self.model_picker = self.make_model_picker(DEFAULT_MODELS["image"], offer=IMAGE_MODELS)
        self.size = widgets.Dropdown(description="Size", options=[_DEFAULT])
        self.quality = widgets.Dropdown(description="Quality", options=[_DEFAULT])
        self.style = widgets.Dropdown(description="Style", options=[_DEFAULT])
        self.n = widgets.BoundedIntText(
            value=1, min=1, max=MAX_N, description="Images", layout={"width": "150px"}
        )
        self.generate_button = widgets.Button(description="Generate", button_style="primary", icon="image")
        self.prompt.observe(lambda _: self._update_counter(), names="value")
        self.model_picker.observe(lambda _: self._update_generate_options(), names="value")
        self.generate_button.on_click(lambda _: self.generate())
        self._generate_box = widgets.VBox(
            [
                self.prompt,
                self.counter,
                wrapping_row(self.model_picker, self.n),
                wrapping_row(self.size, self.quality, self.style),
                self.generate_button,
            ]
        )

    def _build_edit(self) -> None:
        self.mode = widgets.ToggleButtons(
            options=[("Edit", "edit"), ("Variation", "variation")], value="edit"
        )
        self.image_upload = widgets.FileUpload(accept="image/png,image/jpeg,image/webp", description="Image")
        self.mask_upload = widgets.FileUpload(accept="image/png", description="Mask (optional)")
        self.image_preview = picture(max_width=f"{THUMBNAIL}px")
        self.mask_preview = picture(max_width=f"{THUMBNAIL}px")
        self.edit_prompt = widgets.Textarea(
            placeholder="What to change...", layout=widgets.Layout(width="100%", height="60px")
        )
        self.edit_counter = widgets.HTML()
        self.edit_model_picker = self.make_model_picker(
            DEFAULT_MODELS["image_edit"], offer=(name for name, rules in IMAGE_MODELS.items() if rules.edits)
        )
        self.edit_size = widgets.Dropdown(description="Size", options=[_DEFAULT])
        self.edit_n = widgets.BoundedIntText(
            value=1, min=1, max=MAX_N, description="Images", layout={"width": "150px"}
        )
        self.edit_button = widgets.Button(description="Edit", button_style="primary", icon="paint-brush")
        self.image_upload.observe(lambda _: _preview(self.image_upload, self.image_preview), names="value")
        self.mask_upload.observe(lambda _: _preview(self.mask_upload, self.mask_preview), names="value")
        self.edit_prompt.observe(lambda _: self._update_counter(), names="value")
        self.mode.observe(lambda _: self._update_edit_options(), names="value")
        self.edit_model_picker.observe(lambda _: self._update_edit_options(), names="value")
        self.edit_button.on_click(lambda _: self.edit())
        self._edit_box = widgets.VBox(
            [
                self.mode,
                widgets.HBox(
                    [
                        widgets.VBox([self.image_upload, self.image_preview]),
                        widgets.VBox([self.mask_upload, self.mask_preview]),
                    ]
                ),
                self.edit_prompt,
                self.edit_counter,
                wrapping_row(self.edit_model_picker, self.edit_n, self.edit_size),
                self.edit_button,
            ]
        )

    def _build_gallery(self) -> None:
        self.gallery = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap"))
        self.gallery.add_class("ow-image-gallery")
        self.shown: ImageResult | None = None  # the images in the gallery
        self.thumbnails: list[widgets.Image] = []
        self.view_buttons: list[widgets.Button] = []
        self.viewer = picture()
        self.viewer_caption = widgets.HTML()
        close = widgets.Button(description="Close", icon="times", layout={"width": "90px"})
        close.on_click(lambda _: self.close_viewer())
        self.viewer_box = widgets.VBox([widgets.HBox([close, self.viewer_caption]), self.viewer])
        self.viewer_box.layout.display = "none"
        self.folder = widgets.Text(value="images", description="Folder", layout={"width": "260px"})
        self.prefix = widgets.Text(value="image", description="Name", layout={"width": "200px"})
        self.save_button = widgets.Button(description="Save", icon="save", disabled=True)
        self.save_button.on_click(lambda _: self.save())

    # -- keeping pickers to what the model takes --------------------------------------------

    def _update_generate_options(self) -> None:
        rules = image_rules(self.model_picker.value.strip())
        sizes = rules.sizes if rules else _all("sizes")
        _offer(self.size, sizes)
        _offer(self.quality, rules.qualities if rules else _all("qualities"))
        _offer(self.style, rules.styles if rules else _all("styles"))
        self.n.max = rules.max_n if rules else MAX_N
        self.n.value = min(self.n.value, self.n.max)
        self.n.disabled = self.n.max == 1
        self._update_counter()

    def _update_edit_options(self) -> None:
        variation = self.mode.value == "variation"
        if variation:
            self.edit_model_picker.value = next(n for n, r in IMAGE_MODELS.items() if r.variations)
        rules = image_rules(self.edit_model_picker.value.strip())
        _offer(self.edit_size, rules.edit_sizes if rules and rules.edit_sizes else _all("edit_sizes"))
        self.edit_prompt.disabled = variation
        self.mask_upload.disabled = variation
        self.edit_model_picker.disabled = variation
        self.edit_button.description = "Make variations" if variation else "Edit"
        self._update_counter()

    def _update_counter(self) -> None:
        for box, counter, picker in (
            (self.prompt, self.counter, self.model_picker),
            (self.edit_prompt, getattr(self, "edit_counter", None), getattr(self, "edit_model_picker", None)),
        ):
            if counter is None or picker is None:
                continue
            rules = image_rules(picker.value.strip())
            length = len(box.value)
            if rules is None:
                counter.value = f"<span class='ow-counter'>{length} characters</span>"
                continue
            over = length > rules.prompt_limit
            note = f" - too long for {html.escape(rules.name)}" if over else ""
            counter.value = (
                f"<span class='ow-counter{' ow-over' if over else ''}'>"
                f"{length} / {rules.prompt_limit} characters{note}</span>"
            )

    # -- actions ---------------------------------------------------------------------------

    def generate(self) -> Any:
        """Generate images with the Generate tab's settings; they appear in the gallery."""
        result = self.act(
            self.generate_button,
            lambda: self.client.generate_images(
                self.prompt.value,
                model=self.model_picker.value.strip() or None,
                n=self.n.value,
                size=self.size.value or None,
                quality=self.quality.value or None,
                style=self.style.value or None,
            ),
            working="generating...",
        )
        if result is not None:
            self.show_result(result)
        return result

    def edit(self) -> Any:
        """Edit the uploaded image, or make variations of it, as the Edit / Variation tab says."""
        image = uploaded(self.image_upload)
        if image is None:
            self.status.value = notice("Upload an image first.")
            return None
        mask = uploaded(self.mask_upload)
        model = self.edit_model_picker.value.strip() or None
        size = self.edit_size.value or None

        def call() -> Any:
            if self.mode.value == "variation":
                return self.client.image_variations(image, n=self.edit_n.value, size=size, model=model)
            return self.client.edit_image(
                image, self.edit_prompt.value, mask=mask, model=model, n=self.edit_n.value, size=size
            )

        result = self.act(self.edit_button, call, working="working on the image...")
        if result is not None:
            self.show_result(result)
        return result

    def show_result(self, result: Any) -> None:
        """Put `result`'s images in the gallery as thumbnails, each with a button to view it."""
        self.shown = result
        self.thumbnails, self.view_buttons, cards = [], [], []
        for index, image in enumerate(result):
            small = image.copy()
            small.thumbnail((THUMBNAIL, THUMBNAIL))
            thumbnail = widgets.Image(
                value=encode_png(small), format="png", layout={"width": f"{THUMBNAIL}px"}
            )
            button = widgets.Button(
                description=f"{index + 1}: {image.width}x{image.height}",
                tooltip=image.info.get("revised_prompt") or "view full size",
                layout={"width": f"{THUMBNAIL}px"},
            )
            button.on_click(lambda _, i=index: self.view(i))
            self.thumbnails.append(thumbnail)
            self.view_buttons.append(button)
            cards.append(widgets.VBox([thumbnail, button], layout={"margin": "0 8px 8px 0"}))
        self.gallery.children = cards
        self.save_button.disabled = not result
        self.close_viewer()
        self.status.value = f"<small>{html.escape(repr(result))}</small>"

    def view(self, index: int) -> None:
        """Show image `index` of the gallery at full size."""
        if self.shown is None:
            raise IndexError(f"no image {index}: the gallery is empty")
        image = self.shown[index]
        self.viewer.value = encode_png(image)
        revised = image.info.get("revised_prompt")
        caption = f"image {index + 1}: {image.width}x{image.height}" + (f" - {revised}" if revised else "")
        self.viewer_caption.value = html.escape(caption)
        self.viewer_box.layout.display = ""

    def close_viewer(self) -> None:
        self.viewer_box.layout.display = "none"
        self.viewer.value = b""

    def save(self) -> list:
        """Save the gallery's images as PNG files in the folder; the status line lists them."""
        if self.shown is None:
            return []
        shown = self.shown
        paths = self.run(
            self.save_button, lambda: shown.save(self.folder.value or ".", self.prefix.value or "image")
        )
        if paths:
            self.status.value = notice(f"saved {len(paths)}: {', '.join(str(p) for p in paths)}", "ok")
        return paths or []


def _offer(picker: widgets.Dropdown, values: tuple[str, ...]) -> None:
    """Offer `values` (plus "default"), keeping the current choice where it is still valid."""
    current = picker.value
    picker.options = [_DEFAULT, *((v, v) for v in values)]
    picker.value = current if current in values else ""
    picker.disabled = not values


def _all(field: str) -> tuple[str, ...]:
    """Every value any known model takes, for a model the table does not know."""
    return tuple(dict.fromkeys(v for rules in IMAGE_MODELS.values() for v in getattr(rules, field)))


def _preview(upload: widgets.FileUpload, preview: widgets.Image) -> None:
    from PIL import Image

    item = uploaded(upload)
    if item is None:
        preview.value = b""
        return
    try:
        with Image.open(item) as image:
            small = image.copy()
    except Exception:  # not an image: the action says so when it checks the upload
        preview.value = b""
        return
    small.thumbnail((THUMBNAIL, THUMBNAIL))
    preview.value = encode_png(
        small if small.mode in {"RGB", "RGBA", "L", "LA", "P"} else small.convert("RGBA")
    )
