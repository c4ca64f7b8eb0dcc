/* The zone's planning map: the uploaded image in a planar pixel CRS (no tiles, no geocoder),
   parcels and buildings as polygons coloured by status, a click opens the side panel, and
   writers draw or edit an outline with Geoman (saved as image pixels through a JSON POST). */
(function () {
  "use strict";
  var el = document.getElementById("land-map");
  if (!el || !window.L) {
    return;
  }
  var panel = document.getElementById("land-panel");
  var picker = document.getElementById("land-draw-target");
  var DRAWN_KEY = "land-drawn-outline"; // read by land_parcel_form.js
  var statusLine = document.getElementById("land-draw-status");
  var height = 1000;
  var width = 1000;
  var layers = {};
  var features = {};
  var map;

  function toLatLng(point) {
    return L.latLng(height - point[1], point[0]);
  }

  function toPoint(latlng) {
    var x = Math.min(Math.max(latlng.lng, 0), width);
    var y = Math.min(Math.max(height - latlng.lat, 0), height);
    return [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
  }

  function say(text, ok) {
    if (statusLine) {
      statusLine.textContent = text;
      statusLine.className = "mt-1 " + (ok ? "text-success" : "text-danger");
    }
  }

  function line(label, value) {
    var row = document.createElement("div");
    var strong = document.createElement("strong");
    strong.textContent = label;
    row.appendChild(strong);
    row.appendChild(document.createTextNode(" " + value));
    return row;
  }

  function show(feature) {
    if (!panel) {
      return;
    }
    panel.textContent = "";
    var title = document.createElement("a");
    title.href = feature.url;
    title.className = "fw-bold d-block mb-1";
    title.textContent = (feature.code ? feature.code + " " : "") + feature.name;
    title.setAttribute("data-testid", "panel-link");
    panel.appendChild(title);
    var badge = document.createElement("span");
    badge.className = "badge land-status land-status-" + feature.status;
    badge.textContent = feature.status_label;
    panel.appendChild(badge);
    panel.appendChild(line("", feature.kind === "parcel" ? feature.area + " 亩" : feature.area + " ㎡"));
    if (picker) {
      picker.value = feature.kind + ":" + feature.id;
    }
  }

  function draw(feature) {
    var key = feature.kind + ":" + feature.id;
    if (layers[key]) {
      map.removeLayer(layers[key]);
      delete layers[key];
    }
    if (!feature.polygon || feature.polygon.length < 3) {
      return;
    }
    var layer = L.polygon(feature.polygon.map(toLatLng), {
      color: feature.colour,
      fillColor: feature.colour,
      fillOpacity: 0.45,
      weight: 2,
      className: "land-polygon land-polygon-" + feature.kind,
    });
    layer.on("click", function () {
      if (map.pm && map.pm.globalDrawModeEnabled()) {
        return; // a click while drawing places a vertex, it does not pick the parcel
      }
      show(feature);
    });
    layer.on("pm:edit", function () {
      save(feature, layer);
    });
    layer.addTo(map);
    layers[key] = layer;
  }

  function save(feature, layer) {
    var points = layer.getLatLngs()[0].map(toPoint);
    fetch(feature.polygon_url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": el.dataset.csrf,
      },
      body: JSON.stringify({ points: points }),
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      })
      .then(function (result) {
        if (result.ok) {
          feature.polygon = result.body.points;
          draw(feature);
          say(el.dataset.msgSaved, true);
        } else {
          say(el.dataset.msgFailed + (result.body.error || ""), false);
        }
      })
      .catch(function () {
        say(el.dataset.msgFailed, false);
      });
  }

  function init(data) {
    height = data.height;
    width = data.width;
    map = L.map(el, {
      crs: L.CRS.Simple,
      minZoom: -5,
      maxZoom: 4,
      zoomSnap: 0.25,
      attributionControl: false,
    });
    var bounds = [
      [0, 0],
      [height, width],
    ];
    if (data.image) {
      L.imageOverlay(data.image, bounds, { className: "land-plan-image" }).addTo(map);
    }
    map.fitBounds(bounds);
    data.features.forEach(function (feature) {
      // what a kind's features share comes once: link templates, status labels and colours
      var kind = data.kinds[feature.kind];
      var status = kind.statuses[feature.status] || { label: feature.status, colour: "#6c757d" };
      feature.url = kind.url.replace("{id}", feature.id);
      feature.polygon_url = kind.polygon_url.replace("{id}", feature.id);
      feature.status_label = status.label;
      feature.colour = status.colour;
      features[feature.kind + ":" + feature.id] = feature;
      draw(feature);
      if (picker && data.writable) {
        var option = document.createElement("option");
        option.value = feature.kind + ":" + feature.id;
        option.textContent = (feature.code ? feature.code + " " : "") + feature.name;
        picker.appendChild(option);
      }
    });
    if (data.writable && map.pm) {
      map.pm.setLang((document.documentElement.lang || "zh").indexOf("zh") === 0 ? "zh" : "en");
      map.pm.addControls({
        position: "topleft",
        drawMarker: false,
        drawCircleMarker: false,
        drawPolyline: false,
        drawCircle: false,
        drawText: false,
        cutPolygon: false,
        rotateMode: false,
        dragMode: false,
        removalMode: false,
      });
      map.on("pm:create", function (event) {
        var feature = picker ? features[picker.value] : null;
        map.removeLayer(event.layer);
        if (picker && picker.value === "new") {
          // a new parcel: the outline waits in this tab's storage (up to 500 points do not fit a
          // URL) for the registration form, which sends it with the parcel
          var points = event.layer.getLatLngs()[0].map(toPoint);
          try {
            window.sessionStorage.setItem(DRAWN_KEY, JSON.stringify(points));
          } catch (error) {
            say(el.dataset.msgFailed, false);
            return;
          }
          window.location.href = el.dataset.newUrl + "&drawn=1";
          return;
        }
        if (!feature) {
          say(el.dataset.msgPick, false);
          return;
        }
        save(feature, event.layer);
      });
    }
    el.setAttribute("data-ready", "1");
  }

  fetch(el.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      return response.json();
    })
    .then(init);
})();
