namespace CalendarFederation.Engine.Fleet
{
    /// <summary>
    /// The map's inline style and script. Nothing here may name a URL: the page loads nothing from anywhere (its
    /// Content-Security-Policy says so too), so it opens the same offline, in a mail attachment or on a file share.
    /// </summary>
    internal static class FleetReportAssets
    {
        // Cells are 1.7em squares and column names run vertically, so 50 tenants fit a 1366 px wide screen; the headers
        // stick while the matrix scrolls. Colours pair with the cell's letters, so health does not rest on colour alone.
        public const string Style = @"
*{box-sizing:border-box}
body{margin:0;font:13px/1.35 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1b1b;background:#fafafa}
header{padding:.5rem 1rem 0}
h1{font-size:1.2rem;margin:0}
h2{font-size:1rem;margin:1rem 0 .4rem}
.meta{margin:.2rem 0;color:#555}
.bar{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;align-items:center;padding:.4rem 1rem}
#filter{font:inherit;padding:.2rem .4rem;width:14rem}
#legend{display:flex;flex-wrap:wrap;gap:.3rem .9rem;list-style:none;margin:0;padding:0}
#legend li{display:flex;align-items:center;gap:.3rem}
.sw{display:inline-block;width:1.1em;height:1.1em;border:1px solid #999}
.codes{color:#555;margin:0}
.wrap{overflow:auto;max-height:calc(100vh - 7.5rem);width:max-content;max-width:calc(100vw - 2rem);margin:0 1rem;border:1px solid #ccc;background:#fff}
table.m{border-collapse:separate;border-spacing:0}
.m th,.m td{border-right:1px solid #e2e2e2;border-bottom:1px solid #e2e2e2}
.m thead th{position:sticky;top:0;z-index:2;background:#f0f0f0;vertical-align:bottom;padding:.2rem 0}
.m thead th.col span{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;display:inline-block;max-height:9rem;overflow:hidden;text-overflow:ellipsis}
.m th.row{position:sticky;left:0;z-index:1;background:#f0f0f0;text-align:right;padding:0 .4rem;white-space:nowrap;max-width:11rem;overflow:hidden;text-overflow:ellipsis;font-weight:600}
.m th.corner{left:0;z-index:3;text-align:right;padding:.2rem .4rem;font-weight:400;color:#555}
.m td{width:1.7em;min-width:1.7em;height:1.7em;text-align:center;font-size:11px;font-weight:600;padding:0}
.m td a{color:inherit;text-decoration:none;display:block}
.m td.self{background:#d6d6d6}
.m tr:hover th.row,.m th.col.hl{background:#dde7f3}
[hidden]{display:none!important}
.h-Works{background:#c8e6c9;color:#1b5e20}
.h-WorksUntil2027{background:#ffe9a8;color:#6d4c00}
.h-OneWay{background:#e3f0fb;color:#355a7a}
.h-Broken{background:#f7b9b9;color:#8a0000}
.h-Unknown{background:repeating-linear-gradient(45deg,#e4e4e4 0 4px,#c9c9c9 4px 8px);color:#333}
.h-Empty{background:#fff;color:#999}
section{padding:0 1rem}
article{border-left:4px solid #ccc;padding:.1rem .6rem;margin:.4rem 0;background:#fff}
article.h-Broken{border-color:#c62828;background:#fff}
article.h-Unknown{border-color:#777;background:#fff}
article h3{font-size:.95rem;margin:.2rem 0}
article ul{margin:.2rem 0;padding-left:1.2rem}
table.r{border-collapse:collapse;background:#fff}
.r th,.r td{border:1px solid #ddd;padding:.15rem .4rem;text-align:left;vertical-align:top}
";

        // Reads everything from the DOM (no data is embedded in the script, so nothing needs script escaping). The filter
        // keeps the rows and the columns whose tenant name holds the text (case-insensitive), recounts the legend over the
        // cells still shown, and mirrors itself in the URL fragment (#filter=...), which the page also honours on load.
        public const string Script = @"
(function(){
var input=document.getElementById('filter');
var table=document.getElementById('matrix');
function norm(s){return (s||'').toLowerCase();}
function all(sel){return Array.prototype.slice.call(document.querySelectorAll(sel));}
function apply(){
  var q=norm(input.value).trim();
  function keep(name){return q===''||norm(name).indexOf(q)>=0;}
  var heads=table.tHead.rows[0].cells,cols=[],shown=0;
  for(var i=1;i<heads.length;i++){var k=keep(heads[i].getAttribute('data-tenant'));cols.push(k);heads[i].hidden=!k;}
  var counts={},rows=table.tBodies[0].rows;
  for(var r=0;r<rows.length;r++){
    var row=rows[r],rk=keep(row.getAttribute('data-tenant'));row.hidden=!rk;if(rk)shown++;
    for(var c=1;c<row.cells.length;c++){
      var cell=row.cells[c];cell.hidden=!cols[c-1];
      var h=cell.getAttribute('data-health');
      if(h&&rk&&cols[c-1])counts[h]=(counts[h]||0)+1;
    }
  }
  all('#legend [data-count]').forEach(function(b){b.textContent=String(counts[b.getAttribute('data-count')]||0);});
  all('#details article').forEach(function(a){a.hidden=!(keep(a.getAttribute('data-from'))&&keep(a.getAttribute('data-to')));});
  all('#readiness tr[data-tenant]').forEach(function(t){t.hidden=!keep(t.getAttribute('data-tenant'));});
  document.getElementById('shown').textContent=shown+' of '+rows.length+' tenants';
  document.body.setAttribute('data-filter',q);
}
function fromHash(){
  var m=/(?:^|&)filter=([^&]*)/.exec(location.hash.replace(/^#/,''));
  if(m){try{input.value=decodeURIComponent(m[1].replace(/\+/g,' '));}catch(e){input.value=m[1];}}
}
input.addEventListener('input',function(){
  apply();
  try{history.replaceState(null,'',input.value?'#filter='+encodeURIComponent(input.value):location.pathname+location.search);}catch(e){}
});
table.addEventListener('mouseover',function(e){
  var td=e.target.closest?e.target.closest('td'):null;
  all('.m th.col.hl').forEach(function(h){h.classList.remove('hl');});
  if(td&&td.cellIndex>0)table.tHead.rows[0].cells[td.cellIndex].classList.add('hl');
});
window.addEventListener('hashchange',function(){fromHash();apply();});
fromHash();
apply();
document.body.setAttribute('data-ready','true');
})();
";
    }
}
