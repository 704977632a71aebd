//! A time-series chart drawn by uPlot (vendored under `public/vendor/uplot`):
//! a date axis, one series per data type, one value axis per unit, and a
//! legend that shows the values under the pointer. The server renders an
//! empty figure with its description; the browser draws into it.

use leptos::prelude::*;
use serde_json::{Value, json};

/// One line of the chart: a data type's readings, as (seconds since the
/// epoch, value).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub unit: String,
    pub points: Vec<(f64, f64)>,
}

/// Colours told apart also by people with the common colour blindnesses.
const COLOURS: [&str; 6] = ["#1f6f8b", "#c2410c", "#6d28d9", "#15803d", "#b91c1c", "#4b5563"];

/// uPlot's data: the times of every series, sorted and without repeats,
/// then each series' value at those times (`null` where it has none).
pub fn aligned(series: &[Series]) -> Value {
    let mut times: Vec<f64> = series.iter().flat_map(|s| s.points.iter().map(|(t, _)| *t)).collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    let mut columns = vec![json!(times)];
    for s in series {
        let values: Vec<Value> = times
            .iter()
            .map(|t| s.points.iter().find(|(at, _)| at == t).map_or(Value::Null, |(_, v)| json!(v)))
            .collect();
        columns.push(Value::Array(values));
    }
    Value::Array(columns)
}

/// uPlot's options for a chart `width` pixels wide: a time axis below, the
/// first unit's axis on the left and the next ones on the right.
pub fn options(series: &[Series], width: f64) -> Value {
    let height = (width * 0.42).clamp(180.0, 320.0).round();
    let mut units: Vec<&str> = Vec::new();
    for s in series {
        if !units.contains(&s.unit.as_str()) {
            units.push(&s.unit);
        }
    }
    let scale_of = |unit: &str| format!("unit-{}", units.iter().position(|u| *u == unit).unwrap_or(0));
    let mut scales = json!({"x": {"time": true}});
    let mut axes = vec![json!({"stroke": "#5b6472", "grid": {"stroke": "#e5e8ee"}})];
    for (index, unit) in units.iter().enumerate() {
        scales[scale_of(unit)] = json!({"auto": true});
        axes.push(json!({
            "scale": scale_of(unit),
            "label": unit,
            "side": if index == 0 { 3 } else { 1 },
            "stroke": "#5b6472",
            "grid": {"show": index == 0, "stroke": "#e5e8ee"},
            "size": 60,
        }));
    }
    let mut lines = vec![json!({"label": "Time"})];
    for (index, s) in series.iter().enumerate() {
        let colour = COLOURS[index % COLOURS.len()];
        let label = if s.unit.is_empty() { s.label.clone() } else { format!("{} ({})", s.label, s.unit) };
        lines.push(json!({
            "label": label,
            "scale": scale_of(&s.unit),
            "stroke": colour,
            "width": 2,
            "spanGaps": true,
            "points": {"show": true, "size": 6, "fill": colour},
        }));
    }
    json!({"width": width.round(), "height": height, "scales": scales, "axes": axes, "series": lines, "legend": {"live": true}})
}

/// The chart, with `description` as its accessible name.
#[component]
pub fn TimeChart(series: Vec<Series>, #[prop(into)] description: String) -> impl IntoView {
    let host = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    draw_when_mounted(host, series);
    #[cfg(not(feature = "hydrate"))]
    let _ = series;
    view! {
        <figure class="chart">
            <div node_ref=host class="chart-host" role="img" aria-label=description.clone()></div>
            <figcaption>{description}</figcaption>
        </figure>
    }
}

#[cfg(feature = "hydrate")]
fn draw_when_mounted(host: NodeRef<leptos::html::Div>, series: Vec<Series>) {
    use send_wrapper::SendWrapper;
    let plot = StoredValue::new(SendWrapper::new(None::<wasm_bindgen::JsValue>));
    Effect::new(move |_| {
        let Some(element) = host.get() else { return };
        let width = f64::from(element.client_width()).max(280.0);
        match construct(&element, &series, width) {
            Ok(made) => plot.set_value(SendWrapper::new(Some(made))),
            Err(error) => leptos::logging::warn!("the chart could not be drawn: {error:?}"),
        }
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| {
        let (Some(element), Some(made)) = (host.get_untracked(), plot.with_value(|p| (**p).clone())) else { return };
        let width = f64::from(element.client_width()).max(280.0);
        let size = options(&[], width);
        if let (Ok(set_size), Ok(arguments)) =
            (js_sys::Reflect::get(&made, &"setSize".into()), js_sys::JSON::parse(&json!({"width": size["width"], "height": size["height"]}).to_string()))
        {
            let set_size: js_sys::Function = set_size.into();
            let _ = set_size.call1(&made, &arguments);
        }
    });
    on_cleanup(move || {
        resize.remove();
        if let Some(made) = plot.try_with_value(|p| (**p).clone()).flatten() {
            if let Ok(destroy) = js_sys::Reflect::get(&made, &"destroy".into()) {
                let destroy: js_sys::Function = destroy.into();
                let _ = destroy.call0(&made);
            }
        }
    });
}

/// `new uPlot(options, data, element)`.
#[cfg(feature = "hydrate")]
fn construct(element: &web_sys::HtmlDivElement, series: &[Series], width: f64) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue> {
    let constructor: js_sys::Function = js_sys::Reflect::get(&js_sys::global(), &"uPlot".into())?.into();
    let arguments = js_sys::Array::of3(
        &js_sys::JSON::parse(&options(series, width).to_string())?,
        &js_sys::JSON::parse(&aligned(series).to_string())?,
        element,
    );
    js_sys::Reflect::construct(&constructor, &arguments)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(label: &str, unit: &str, points: &[(f64, f64)]) -> Series {
        Series { label: label.into(), unit: unit.into(), points: points.to_vec() }
    }

    #[test]
    fn series_share_one_sorted_time_column_with_gaps() {
        let data = aligned(&[series("Heart rate", "beats/min", &[(20.0, 70.0), (10.0, 60.0)]), series("Steps", "steps", &[(20.0, 900.0)])]);
        assert_eq!(data, json!([[10.0, 20.0], [60.0, 70.0], [null, 900.0]]));
    }

    #[test]
    fn each_unit_gets_its_own_scale_and_labelled_axis() {
        let made = options(&[series("Heart rate", "beats/min", &[]), series("Steps", "steps", &[]), series("Resting", "beats/min", &[])], 800.0);
        assert_eq!(made["axes"][1]["label"], "beats/min");
        assert_eq!(made["axes"][2]["label"], "steps");
        assert_eq!(made["axes"].as_array().map(Vec::len), Some(3));
        assert_eq!(made["series"][3]["scale"], made["series"][1]["scale"]);
        assert_eq!(made["series"][2]["label"], "Steps (steps)");
        assert_eq!(made["scales"]["x"]["time"], true);
        assert_eq!(made["height"], 320.0);
    }
}
