package web

import (
	"bytes"
	"cmp"
	"fmt"
	"html/template"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"preau/appliance/i18n"
)

// A partial template draws the same HTML for the same value in the same
// language. The partials every home page draws (its tiles, the top bar, a
// class's card) are mostly the same from one view to the next and shared
// between people; drawing them anew cost a page most of its time, since
// every value html/template writes is a reflective call to its escaper,
// about a microsecond each on the appliance. {{drawn "name" value}} draws
// the partial "name" (of the layouts, or else of the page's own file) with
// value once, and then again only when the value differs: no write has to
// say what it made stale.
//
// The key is the value itself: its exported fields, all of them, as a
// partial can only read those (a drawn value holds data, and what its
// methods say must follow from its exported fields); a function in it is
// refused at the first drawing, in tests.
// Drawings are kept a minute at most: that also bounds how late a partial
// that reads the clock would be.

const (
	drawnLife    = time.Minute
	drawnMaxSize = 4 << 20 // bytes of keys and HTML kept at most
)

type drawings struct {
	mu   sync.Mutex
	born time.Time
	size int
	m    map[string]template.HTML
}

// get is the HTML drawn under key, drawn by draw when it is not kept.
func (d *drawings) get(key string, draw func() (template.HTML, error)) (template.HTML, error) {
	d.mu.Lock()
	if time.Since(d.born) > drawnLife || d.size > drawnMaxSize {
		d.m, d.size, d.born = make(map[string]template.HTML), 0, time.Now()
	}
	h, ok := d.m[key]
	d.mu.Unlock()
	if ok {
		return h, nil
	}
	h, err := draw()
	if err != nil {
		return "", err
	}
	d.mu.Lock()
	if _, dup := d.m[key]; !dup {
		d.m[key] = h
		d.size += len(key) + len(h)
	}
	d.mu.Unlock()
	return h, nil
}

// forget drops every drawing: the templates changed (dev mode).
func (d *drawings) forget() {
	d.mu.Lock()
	d.m, d.size = make(map[string]template.HTML), 0
	d.mu.Unlock()
}

// draw is the partial name drawn with data in lang on page: a partial of
// the layouts, or else of the page's own file.
func (v *views) draw(lang i18n.Lang, page, name string, data any) (template.HTML, error) {
	v.mu.Lock()
	set := v.layouts[lang]
	if set.Lookup(name) == nil {
		set = v.pages[lang][page]
	} else {
		page = ""
	}
	v.mu.Unlock()
	if set == nil || set.Lookup(name) == nil {
		return "", fmt.Errorf("drawn %q: no such template", name)
	}
	var key strings.Builder
	key.WriteString(string(lang))
	key.WriteByte(0)
	key.WriteString(page)
	key.WriteByte(0)
	key.WriteString(name)
	key.WriteByte(0)
	if err := writeKey(&key, reflect.ValueOf(data), 0); err != nil {
		return "", fmt.Errorf("drawn %q: %w", name, err)
	}
	return v.drawn.get(key.String(), func() (template.HTML, error) {
		buf := renderBuffers.Get().(*bytes.Buffer)
		defer putRenderBuffer(buf)
		if err := set.ExecuteTemplate(buf, name, data); err != nil {
			return "", err
		}
		return template.HTML(buf.String()), nil
	})
}

var timeType = reflect.TypeFor[time.Time]()

// writeKey writes v to b so that two values write the same only when
// they are the same: strings with their length, lists with theirs, what a
// pointer points to, a map in the order of its keys. depth guards against
// a value that holds itself.
func writeKey(b *strings.Builder, v reflect.Value, depth int) error {
	if depth > 32 {
		return fmt.Errorf("a value %d levels deep cannot be the key of a drawing", depth)
	}
	if v.IsValid() && v.Type() == timeType {
		t := v.Interface().(time.Time)
		b.WriteString(t.Format(time.RFC3339Nano))
		b.WriteString(t.Location().String())
		b.WriteByte(';')
		return nil
	}
	var num [24]byte
	switch v.Kind() {
	case reflect.Invalid:
		b.WriteByte('n')
	case reflect.String:
		b.Write(strconv.AppendInt(num[:0], int64(v.Len()), 10))
		b.WriteByte(':')
		b.WriteString(v.String())
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
		b.WriteByte(';')
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.Write(strconv.AppendInt(num[:0], v.Int(), 10))
		b.WriteByte(';')
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		b.Write(strconv.AppendUint(num[:0], v.Uint(), 10))
		b.WriteByte(';')
	case reflect.Float32, reflect.Float64:
		b.Write(strconv.AppendFloat(num[:0], v.Float(), 'g', -1, 64))
		b.WriteByte(';')
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			b.WriteByte('n')
			return nil
		}
		return writeKey(b, v.Elem(), depth+1)
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return cmp.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
		b.WriteString("m[")
		b.Write(strconv.AppendInt(num[:0], int64(len(keys)), 10))
		b.WriteByte(':')
		for _, k := range keys {
			if err := writeKey(b, k, depth+1); err != nil {
				return err
			}
			if err := writeKey(b, v.MapIndex(k), depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case reflect.Slice, reflect.Array:
		b.WriteByte('[')
		b.Write(strconv.AppendInt(num[:0], int64(v.Len()), 10))
		b.WriteByte(':')
		for i := range v.Len() {
			if err := writeKey(b, v.Index(i), depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case reflect.Struct:
		b.WriteByte('{')
		t := v.Type()
		for i := range t.NumField() {
			if !t.Field(i).IsExported() {
				continue
			}
			if err := writeKey(b, v.Field(i), depth+1); err != nil {
				return fmt.Errorf("%s.%s: %w", t.Name(), t.Field(i).Name, err)
			}
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("a %s cannot be the key of a drawing (%s): draw it with {{template}}", v.Kind(), v.Type())
	}
	return nil
}
